from __future__ import annotations

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from nlp.embedding import embed, load_model

PAIRS = [
    ("百度は推論に特化した新モデルを公開した", "百度发布了专注推理的新模型"),
    ("中国当局が生成AIの表示義務を施行した", "中国监管部门开始施行生成式人工智能标识要求"),
    ("米国が半導体の輸出規制を強化した", "美国收紧了芯片出口管制"),
    ("台風が九州に接近している", "台风正在接近九州"),
]


@pytest.mark.slow
def test_bundled_model_is_a_sentence_transformer_aligned_across_languages() -> None:
    model = load_model()
    assert isinstance(model, SentenceTransformer)
    ja = embed(model, [p[0] for p in PAIRS])
    zh = embed(model, [p[1] for p in PAIRS])
    assert ja.shape == (4, 512) and ja.dtype == np.float32
    assert np.allclose(np.linalg.norm(ja, axis=1), 1.0, atol=1e-4)
    similarity = ja @ zh.T
    assert list(similarity.argmax(axis=1)) == [0, 1, 2, 3]  # each translation is nearest


def test_other_models_are_a_config_change_with_a_clear_error() -> None:
    with pytest.raises(OSError):
        load_model("/nonexistent/sentence-transformers-model")
