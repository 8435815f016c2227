from __future__ import annotations

import time
from pathlib import Path

import pytest

from nlp.credits import credit_spans
from nlp.entities import EntityRecognizer, Found, repeated
from nlp.evaluate import evaluate_entities, load_corpus
from nlp.names import can_be_name, law_headed

CORPUS = Path(__file__).parents[1] / "corpus" / "articles.yaml"


@pytest.fixture(scope="module")
def recognizer() -> EntityRecognizer:
    return EntityRecognizer()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "ja",
            "百度の李彦宏CEOは北京で新型AIを発表した。山田太郎氏も登壇した。",
            {
                ("百度", "org:baidu", "gazetteer"),
                ("李彦宏", "person:robin-li", "gazetteer"),
                ("山田太郎", "person:山田太郎", "ner"),
            },
        ),
        (
            "zh-Hans",
            "北京智谱华章科技有限公司发布GLM-5,公司副总裁陈立新表示模型开源。",
            {
                ("北京智谱华章科技有限公司", "org:zhipu-ai", "gazetteer"),
                ("GLM-5", "model:glm-5", "discovery"),
                ("陈立新", "person:陈立新", "ner"),
            },
        ),
        (
            "en",
            "Baidu and Alibaba Cloud compete with DeepSeek-V4.",
            {
                ("Baidu", "org:baidu", "gazetteer"),
                ("Alibaba Cloud", "org:alibaba-cloud", "gazetteer"),
                ("DeepSeek-V4", "model:deepseek-v4", "discovery"),
            },
        ),
    ],
)
def test_recognizer_finds_known_new_and_unknown(
    recognizer: EntityRecognizer, lang: str, text: str, expected: set[tuple[str, str, str]]
) -> None:
    found = recognizer.find(text, lang)
    assert {(f.surface, f.key, f.method) for f in found} == expected
    assert all(text[f.start : f.end] == f.surface for f in found)


@pytest.mark.slow
@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01\x02\x1f" * 100,
        "🤖🚀 emoji only 😀" * 50,
        "百度Baiduバイドゥ" * 5000 + "社長" * 10,  # mixed scripts, 80k chars
        "あ" * 1_000_000,  # 1 MB of text
    ],
    ids=["empty", "control", "emoji", "mixed", "1mb"],
)
def test_recognizer_bad_input_is_bounded(recognizer: EntityRecognizer, text: str) -> None:
    started = time.process_time()
    recognizer.find(text, "ja")
    recognizer.find(text, "zh-Hans")
    assert time.process_time() - started < 60  # a hang would blow far past this


@pytest.mark.slow
def test_eval_entities_meets_targets(recognizer: EntityRecognizer) -> None:
    scores = evaluate_entities(load_corpus(CORPUS), recognizer)
    for type_ in ("org", "model", "gov", "law"):
        assert scores["linked"][type_]["f1"] >= 0.90, (type_, scores["linked"][type_])


@pytest.mark.parametrize(
    ("surface", "lang", "label", "expected"),
    [
        ("高森修一", "ja", "PERSON", True),
        ("オリックス", "ja", "ORG", True),
        ("陈立新", "zh-Hans", "PERSON", True),
        ("智元机器人", "zh-Hans", "ORG", True),  # 智元 is no dictionary word: maybe a name
        ("华数通讯社", "zh-Hans", "ORG", True),
        ("エキスパート", "ja", "ORG", False),  # one everyday word
        ("イタリア", "ja", "ORG", False),  # a place
        ("クラウド基盤", "ja", "PRODUCT", False),  # common nouns only: a description
        ("训练", "zh-Hans", "ORG", False),
        ("上海", "zh-Hans", "ORG", False),
        ("美国发布", "zh-Hans", "ORG", False),  # a verb inside
        ("数据安全制度", "zh-Hans", "PRODUCT", False),
        ("API", "ja", "ORG", False),  # a bare acronym
        ("Mamba架构，输出价格", "zh-Hans", "PRODUCT", False),  # punctuation inside
        ("Agent）", "zh-Hans", "PRODUCT", False),
        ("綁定", "zh-Hant", "MODEL", False),  # traditional characters read as simplified
        ("短期內", "zh-Hant", "ORG", False),
        ("GPU群", "ja", "ORG", False),  # a Latin word and common words: a description
        ("IT大手", "ja", "ORG", False),
        ("Python项目", "zh-Hans", "ORG", False),
        ("KV缓存", "zh-Hans", "PRODUCT", False),
        ("TCL科技", "zh-Hans", "ORG", True),  # an organisation's head word after it
        ("LINEヤフー", "ja", "ORG", True),
        ("CHIPS法", "ja", "LAW", True),
        ("スマホ向けディスプレー", "ja", "ORG", False),  # common words joined by a kanji affix
        ("楽天モバイル", "ja", "ORG", True),
        ("中国検索大手", "ja", "ORG", False),  # a place and common words describe
        ("上海人工知能実験室", "ja", "ORG", True),  # an organisation's head
        ("青葉化学工業", "ja", "ORG", True),  # a firm named by its industry word
        ("中部電気鉄道", "ja", "ORG", True),
        ("杭州星河汽车", "zh-Hans", "ORG", True),
        ("国内半导体", "zh-Hans", "ORG", False),  # an industry word alone describes
        ("第2グループ", "ja", "ORG", False),  # a numbered group of common words
        ("米当局", "ja", "GOV", False),  # "the authorities" name no body  # laws are so named
        ("AI法案", "zh-Hans", "LAW", True),
        ("量子に特化した新会社", "ja", "ORG", False),  # a particle or auxiliary inside
        ("GPU芯片及", "zh-Hans", "PRODUCT", False),  # a conjunction at the end: a cut
        ("显卡的内存带宽", "zh-Hans", "PRODUCT", False),
        ("スマートグラス", "ja", "PERSON", False),  # common words only: no person
        ("毎分60回転", "ja", "PERSON", False),
        ("梁文鋒", "ja", "PERSON", True),  # Sudachi splits Chinese names into common nouns
        ("非推論モード", "ja", "MODEL", False),
        ("混元T2", "ja", "MODEL", True),  # a version makes a model name
        ("韓国製品", "ja", "GOV", False),  # no body's head at the end
        ("ヴェルトリクス", "ja", "ORG", True),  # a word Sudachi does not know: a name
        ("Anthropic", "ja", "ORG", True),
        ("ヴェルトリクス東京", "ja", "ORG", True),  # an unknown katakana word and a place
        ("金融庁", "ja", "GOV", True),  # a ministry Sudachi files as one common noun
        ("省庁", "ja", "GOV", False),
        ("NEC", "ja", "ORG", True),  # an acronym Sudachi knows as a proper noun
        ("HBM", "ja", "PRODUCT", False),  # one it does not know
        ("H800", "ja", "PRODUCT", True),  # a Latin name and a number
        ("GPT-4並性能", "ja", "MODEL", False),
        ("ミルテック社", "ja", "ORG", True),  # a katakana or Latin name and 社
        ("BLW社", "ja", "ORG", True),
        ("米調査会社", "ja", "ORG", False),  # a kanji word and 会社 describe
        ("株式会社青葉精機", "ja", "ORG", True),  # a legal form
        ("東海交響楽団", "ja", "ORG", True),  # a body's form
        ("国際学会", "ja", "ORG", False),
        ("アジア太平洋連合", "ja", "GOV", True),
        ("規制機関", "ja", "GOV", False),  # "the regulator" names no body
        ("東京高裁", "ja", "GOV", True),
        ("ミナト重工破る", "ja", "ORG", False),  # a verb: a headline cut, no name
        ("欧州国家模型", "zh-Hans", "GOV", False),
        ("国家数据局", "zh-Hans", "GOV", True),
        ("政策力度空前", "zh-Hans", "PRODUCT", False),  # common words only: no product
        ("讯飞星火X2", "zh-Hans", "PRODUCT", True),  # a version makes a product name
        ("李明 王芳", "zh-Hans", "PERSON", False),  # two names side by side
        ("欧阳明远", "zh-Hans", "PERSON", True),  # a two-character surname
        ("埃隆·马斯克", "zh-Hans", "PERSON", True),  # a transliteration, written with ·
        ("我国智能算力规模快速增长", "zh-Hans", "PERSON", False),  # longer than a name
        ("竞争是", "zh-Hans", "PERSON", False),  # no person name starts with 竞
        ("单忠德", "zh-Hans", "PERSON", True),
        ("张女士", "zh-Hans", "PERSON", False),  # anonymous: nobody to track
        ("王某", "zh-Hans", "PERSON", False),
        ("宇树科技", "zh-Hans", "ORG", True),  # a verb inside, an organisation's head ends it
        ("华泰证券研究所", "zh-Hans", "ORG", True),
        ("收购公司", "zh-Hans", "ORG", False),  # a verb first: a description
        ("路透社", "zh-Hans", "ORG", True),  # a dictionary word named by a proper stem
        ("出版社", "zh-Hans", "ORG", False),
        ("国家发展改革委", "zh-Hans", "GOV", True),  # a verb inside, a body's head ends it
        ("星海云算智能科技（杭州）有限公司", "zh-Hans", "ORG", True),  # its seat in parentheses
        ("数据出境安全评估办法（试行）", "zh-Hans", "LAW", True),
        ("银行保险机构数据安全管理办法", "zh-Hans", "LAW", True),  # a law's title is a phrase
        ("关于加快推进人工智能发展的通知", "zh-Hans", "LAW", True),
        ("关于修", "zh-Hans", "LAW", False),  # a title cut inside a word
        ("向文波", "zh-Hans", "PERSON", True),  # a name whose characters are also words
        ("杨崇和", "zh-Hans", "PERSON", True),
        ("向他", "zh-Hans", "PERSON", False),
        ("腾讯控股有限公司", "zh-Hans", "ORG", True),  # a legal form: its name may hold verbs
        ("台灣積體電路製造股份有限公司", "zh-Hant", "ORG", True),
        ("汇丰控股", "zh-Hans", "ORG", True),  # its head (控股) is no verb of the name
        ("招商证券", "zh-Hans", "ORG", True),  # common words and a head that ends no description
        ("追觅科技", "zh-Hans", "ORG", True),  # a brand's one-character verb first
        ("芯片公司", "zh-Hans", "ORG", False),  # common words and a head that may describe
        ("大型科技公司", "zh-Hans", "ORG", False),
        ("该公司", "zh-Hans", "ORG", False),
        ("联合国", "zh-Hans", "GOV", True),  # an organisation of jieba's dictionary
        ("国家互联网应急中心", "zh-Hans", "GOV", True),  # a centre: a body's head
        ("数据中心", "zh-Hans", "GOV", False),
        ("广州市投资促进局", "zh-Hans", "GOV", True),  # a verb inside a body's name
        ("国务院要求市府", "zh-Hans", "GOV", False),  # a verb after a body: what it does
        ("中国银行江苏省分行", "zh-Hans", "ORG", True),  # a branch
        ("傑志體育會", "zh-Hant", "ORG", True),  # a club
        ("因达·拉奥", "zh-Hans", "PERSON", True),  # a transliteration, whatever its first character
    ],
)
def test_only_spans_that_can_be_names_are_kept(
    surface: str, lang: str, label: str, expected: bool
) -> None:
    assert can_be_name(surface, lang, label) is expected


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "text", "absent"),
    [
        ("zh-Hans", "它在MMLU-Pro和SWE-bench Verified上领先。", "MMLU"),  # benchmarks
        ("ja", "同社はTransformerベースのMoEモデルを公開した。", "Transformer"),  # architectures
        ("zh-Hans", "模型以Apache 2.0协议开源，支持FP8推理。", "Apache"),  # licences, formats
        ("zh-Hant", "官方強調“綁定”模型的“降本”效果。", "綁定"),  # quoted words, no names
        ("ja", "モデルの「重み」を公開した。", "重み"),
    ],
)
def test_field_terms_and_quoted_words_are_no_entities(
    recognizer: EntityRecognizer, lang: str, text: str, absent: str
) -> None:
    assert not [f for f in recognizer.find(text, lang) if absent in f.surface]


@pytest.mark.parametrize(
    ("text", "credits"),
    [
        ("新华社北京3月5日电（记者张晓华）国家数据局发布通知。", ["新华社北京3月5日电", "（记者张晓华）"]),
        ("本报讯（记者 李明 通讯员 王芳）昨日，深圳发布行动计划。", ["本报讯", "（记者 李明 通讯员 王芳）"]),
        ("模型已上线。\n（責任編輯：劉洋）", ["（責任編輯：劉洋）"]),
        ("正文完。\n编辑 赵磊 校对 孙静", ["编辑 赵磊 校对 孙静"]),
        ("环球时报记者陈青青报道，多家企业发布新品。", ["记者陈青青"]),
        ("【北京＝山田太郎】中国政府は新たな規則を公表した。", ["【北京＝山田太郎】"]),
        ("记者从赛迪顾问获悉，市场规模扩大。", []),  # what the reporter learnt is news
        ("小米发布新款充电宝，售价99元。", []),
    ],
)
def test_bylines_and_datelines_are_credits(text: str, credits: list[str]) -> None:
    assert [text[s:e] for s, e in credit_spans(text)] == credits


@pytest.mark.slow
def test_the_recognizer_proposes_no_names_in_credits(recognizer: EntityRecognizer) -> None:
    text = "新华社北京3月5日电（记者 李明 通讯员 王芳）国家数据局5日发布通知。\n编辑 赵磊 校对 孙静"
    found = recognizer.find(text, "zh-Hans")
    assert [(f.surface, f.method) for f in found] == [("国家数据局", "gazetteer")]


@pytest.mark.parametrize(
    ("text", "surface", "key"),
    [
        ("中芯国际集成电路制造有限公司今日发布公告称，公司营收增长。", "中芯国际集成电路制造有限公司", "org:smic"),
        ("吉利控股集团董事长表示，集团将加大投入。", "吉利控股集团", "org:geely"),
        ("公安部刑事侦查局通报了一起案件。", "公安部", "gov:cn-mps"),  # a unit gives way
    ],
)
def test_a_registered_name_is_the_known_firm_named_in_full(
    recognizer: EntityRecognizer, text: str, surface: str, key: str
) -> None:
    found = [f for f in recognizer.find(text, "zh") if f.key == key]
    assert [f.surface for f in found] == [surface]


@pytest.mark.parametrize(
    ("surface", "lang", "expected"),
    [
        ("AI向け半導体", "ja", False),  # no law's head at the end: a description
        ("AI半導体輸出", "ja", False),
        ("AI事業者ガイドライン", "ja", True),
        ("AI基本計画", "ja", True),
        ("Official Journal", "en", False),  # no law word in it
        ("Interim Measures for the Management of AI Services", "en", True),
        ("GB/T 45288.1-2025", "zh-Hans", True),  # a standard is its number
        ("北京市数据条例（草案）", "zh-Hans", True),
    ],
)
def test_a_recognised_law_ends_in_a_law_head(surface: str, lang: str, expected: bool) -> None:
    assert law_headed(surface, lang) is expected


@pytest.mark.parametrize(
    ("lang", "text", "name", "expected"),
    [
        # the name again, as a whole word: found there too
        ("zh-Hans", "星环智算发布新品。分析称星环智算领先。", "星环智算", [0, 12]),
        ("ja", "ヤマトテックが発表した。ヤマトテックによると好調だ。", "ヤマトテック", [0, 12]),
        ("en", "Zetalab said so. Zetalab's rival, Zetalabs, did not.", "Zetalab", [0, 17]),
        # inside a longer word of the text (教育部 in 教育部门): no mention there
        ("zh-Hans", "教育部发布通知。教育部门将落实。", "教育部", [0]),
    ],
)
def test_a_name_the_model_found_is_found_where_the_text_repeats_it(
    lang: str, text: str, name: str, expected: list[int]
) -> None:
    found = Found(0, len(name), name, "ORG", f"org:{name.lower()}", "ner")
    assert [f.start for f in repeated(text, lang, [found], [found])] == expected


def test_repeating_leaves_known_names_and_other_methods_alone() -> None:
    text = "百度智能云与百度合作。百度表示。"
    known = Found(0, 5, "百度智能云", "ORG", "org:baidu-ai-cloud", "gazetteer")
    other = Found(6, 8, "百度", "ORG", "org:baidu", "gazetteer")
    assert repeated(text, "zh-Hans", [known], [other]) == [known]  # only the model's names
    ner = Found(6, 8, "百度", "ORG", "org:百度", "ner")
    spans = [(f.start, f.method) for f in repeated(text, "zh-Hans", [known, ner], [ner])]
    assert spans == [(0, "gazetteer"), (6, "ner"), (11, "ner")]  # not inside 百度智能云
