from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from nlp.entities import EntityRecognizer, Found
from nlp.event_model import EventModel
from nlp.events import candidates_of, detect_reports

PUBLISHED = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def recognizer() -> EntityRecognizer:
    return EntityRecognizer(use_ner=False)


def _reports(  # type: ignore[no-untyped-def]
    recognizer: EntityRecognizer,
    title: str,
    body: str,
    lang: str = "zh-Hans",
    published: datetime = PUBLISHED,
):
    """(events, follow-ups) of an article, as the pipeline finds them."""
    return detect_reports(
        title,
        body,
        recognizer.find(title, lang),
        recognizer.find(body, lang),
        recognizer.gazetteer,
        published,
    )


def _events(recognizer: EntityRecognizer, title: str, body: str, lang: str = "zh-Hans"):  # type: ignore[no-untyped-def]
    return _reports(recognizer, title, body, lang)[0]


@pytest.mark.parametrize(
    ("title", "body", "lang", "expected"),
    [
        (
            "智谱发布GLM-5",
            "智谱今天发布并开源GLM-5,参数规模为3550亿。",
            "zh-Hans",
            ("model_release", "org:zhipu-ai", "model:glm-5", None),
        ),
        (
            "百度、「文心X2」を公開",
            "百度は新モデル「文心X2」を公開した。",
            "ja",
            ("model_release", "org:baidu", "model:ernie-x2", None),
        ),
        (
            "Baidu launches ERNIE X2",
            "Baidu released ERNIE X2 today.",
            "en",
            ("model_release", "org:baidu", "model:ernie-x2", None),
        ),
        (
            "网信办就人工智能拟人化互动服务管理暂行办法征求意见",
            "国家网信办起草了人工智能拟人化互动服务管理暂行办法(征求意见稿)。",
            "zh-Hans",
            ("regulation", "gov:cn-cac", None, "draft"),
        ),
        (
            "人工智能生成合成内容标识办法今日起施行",
            "人工智能生成合成内容标识办法自9月1日起正式施行。",
            "zh-Hans",
            ("regulation", "gov:cn-cac", None, "effective"),
        ),
        (
            "网信办修订深度合成管理规定",
            "国家互联网信息办公室修订互联网信息服务深度合成管理规定。",
            "zh-Hans",
            ("regulation", "gov:cn-cac", None, "amended"),
        ),
        (
            "网信办查处违规应用",
            "依据生成式人工智能服务管理暂行办法,对三十款应用予以下架处理。",
            "zh-Hans",
            ("regulation", "gov:cn-cac", None, "enforcement"),
        ),
        (
            "工信部印发人工智能标准体系建设指南",
            "工业和信息化部印发人工智能标准体系建设指南。",
            "zh-Hans",
            ("regulation", "gov:cn-miit", None, "published"),
        ),
    ],
)
def test_events_detected(
    recognizer: EntityRecognizer,
    title: str,
    body: str,
    lang: str,
    expected: tuple[str, str, str | None, str | None],
) -> None:
    events = _events(recognizer, title, body, lang)
    assert [(e.type, e.org_key, e.model_key, e.stage) for e in events] == [expected]
    assert events[0].evidence and 0 < events[0].confidence <= 1


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("字节跳动或将推出新模型", "据悉字节跳动正在准备推出新一代模型,发布时间未定。"),  # rumour
        (
            "バイトダンス、新モデルを準備か",
            "関係者によると、バイトダンスは新モデルの投入を準備しているとされる。",
        ),
        ("火山引擎宣布豆包大模型降价", "火山引擎宣布豆包大模型价格下调六成。"),  # price cut
        (
            "大模型评测榜单更新",
            "最新榜单显示通义千问和DeepSeek-V3位居前列,Kimi发布的新版本紧随其后。",
        ),  # benchmark
        (
            "百度、1-3月期は増収",
            "百度が発表した決算は売上高が8%増えた。文心X1を公開した効果もあった。",
        ),  # earnings
        (
            "评论:DeepSeek-R1一年后",
            "去年初DeepSeek-R1发布时,很多人没有想到开源模型会追上闭源模型。",
        ),  # opinion, past
        (
            "商品房项目须完成合同备案",
            "新建商品房项目在取得预售许可后完成网签合同备案。",
        ),  # real-estate 备案
        (
            "生成AIの規制、日中で何が違うのか",
            "中国は生成AIサービス管理暫定弁法で届出を求め、施行から3年になる。",
        ),  # opinion
    ],
)
def test_not_events(recognizer: EntityRecognizer, title: str, body: str) -> None:
    lang = "ja" if any("\u3040" <= c <= "\u30ff" for c in title + body) else "zh-Hans"
    assert _events(recognizer, title, body, lang) == []


def test_regulation_dates_become_facts(recognizer: EntityRecognizer) -> None:
    body = (
        "国家网信办起草了人工智能拟人化互动服务管理暂行办法(征求意见稿),"
        "意见反馈截止时间为2026年7月12日。"
    )
    [event] = _events(recognizer, "网信办公开征求意见", body)
    assert event.facts["comment_deadline"] == "2026-07-12"
    body = "国家网信办日前修订了互联网信息服务深度合成管理规定。修订后的规定自2026年11月1日起施行。"
    [event] = _events(recognizer, "网信办修订深度合成管理规定", body)
    assert event.stage == "amended" and event.facts["effective_date"] == "2026-11-01"


@pytest.mark.parametrize(
    ("title", "body", "lang"),
    [
        ("阿里巴巴发布Qwen 3", "阿里巴巴今天发布Qwen 3。", "zh-Hans"),
        ("Alibaba launches qwen-3", "Alibaba released qwen-3 today.", "en"),
        ("アリババ、Qwen3を公開", "アリババは1日、Qwen3を公開した。", "ja"),
    ],
)
def test_release_spellings_are_one_event(
    recognizer: EntityRecognizer, title: str, body: str, lang: str
) -> None:
    [event] = _events(recognizer, title, body, lang)
    assert event.key == "model_release:model:qwen3" and event.model_key == "model:qwen3"


def test_bare_version_is_the_developers_model(recognizer: EntityRecognizer) -> None:
    [event] = _events(recognizer, "DeepSeek发布R1", "深度求索今天发布推理模型R1。")
    assert event.model_key == "model:deepseek-r1"


def test_family_named_beside_its_version_is_no_release(recognizer: EntityRecognizer) -> None:
    events = _events(recognizer, "阿里巴巴发布通义千问Qwen3", "通义千问团队今天发布Qwen3。")
    assert [e.model_key for e in events] == ["model:qwen3"]


def test_regulation_org_is_lead_issuer_when_several_bodies(recognizer: EntityRecognizer) -> None:
    body = "国家网信办、国家发展改革委、教育部等七部门公布生成式人工智能服务管理暂行办法。"
    [event] = _events(recognizer, "七部门公布生成式人工智能服务管理暂行办法", body)
    assert event.org_key == "gov:cn-cac"


def test_amendment_is_a_stage_of_the_law_it_amends(recognizer: EntityRecognizer) -> None:
    body = "全国人大常委会表决通过关于修改《中华人民共和国网络安全法》的决定。"
    [event] = _events(recognizer, "网络安全法修正", body)
    assert (event.law_key, event.stage) == ("law:cn-cybersecurity-law", "amended")


def test_event_date_is_the_release_day_not_the_article_day(recognizer: EntityRecognizer) -> None:
    published = datetime(2025, 3, 22, 8, 0, tzinfo=timezone(timedelta(hours=9)))
    title, body = (
        "騰訊、「混元T1」正式版を公開",
        "騰訊は21日、推論モデル「混元T1」の正式版を公開した。",
    )
    [event], _follow_ups = _reports(recognizer, title, body, "ja", published)
    assert event.event_date is not None and event.event_date.isoformat() == "2025-03-21"


def test_effective_stage_dated_by_its_effective_date(recognizer: EntityRecognizer) -> None:
    on_the_day = datetime(2026, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    [event] = _reports(
        recognizer,
        "网络数据安全管理条例元旦起施行",
        "网络数据安全管理条例自2026年1月1日起施行。",
        published=on_the_day,
    )[0]
    assert event.stage == "effective" and str(event.event_date) == "2026-01-01"


def test_decision_is_explained(recognizer: EntityRecognizer) -> None:
    [event] = _events(recognizer, "智谱发布GLM-5", "智谱今天发布并开源GLM-5,参数规模为3550亿。")
    verdict, _, said = str(event.facts["decision"]).partition(": ")
    terms = said.split(", ")
    assert verdict == "news"
    assert terms and all(re.fullmatch(r"[a-z_]+ [+-]\d+\.\d\d", t) for t in terms)
    assert event.evidence == ["智谱发布GLM-5", "智谱今天发布并开源GLM-5,参数规模为3550亿。"]


def test_two_models_announced_are_two_events(recognizer: EntityRecognizer) -> None:
    title, body = "智谱同时发布GLM-5与GLM-5V", "智谱今天同时发布并开源GLM-5和视觉模型GLM-5V。"
    keys = {e.model_key for e in _events(recognizer, title, body)}
    assert keys == {"model:glm-5", "model:glm-5v"}


def test_comparison_model_is_no_release(recognizer: EntityRecognizer) -> None:
    title = "智谱发布GLM-5,称性能超越GPT-5"
    body = "智谱今天发布GLM-5。公司称其在编程评测中超越OpenAI去年发布的GPT-5。"
    assert [e.model_key for e in _events(recognizer, title, body)] == ["model:glm-5"]


def _kinds(recognizer: EntityRecognizer, title: str, body: str, lang: str) -> dict[str, str]:
    """Each model the article names and the kind of mention the classifier makes of it."""
    model = EventModel.load()
    found = candidates_of(
        (title, body),
        (recognizer.find(title, lang), recognizer.find(body, lang)),
        recognizer.gazetteer,
        PUBLISHED,
        (None, model.centroids),
    )
    return {c.key: model.release.predict(c.features)[0] for c in found}


@pytest.mark.parametrize(
    ("title", "body", "lang", "expected"),
    [
        (
            "MiniMax推出MiniMax-M2 称与GPT-5不相上下",
            "MiniMax今天推出新模型MiniMax-M2。公司称，MiniMax-M2在智能体评测中与GPT-5不相上下。",
            "zh-Hans",
            {"model:minimax-m2": "news", "model:gpt-5": "comparison"},
        ),
        (
            "Zhipu unveils GLM-4.6",
            "Zhipu on Monday unveiled GLM-4.6. It released its predecessor, GLM-4.5, last year.",
            "en",
            {"model:glm-4.6": "news", "model:glm-4.5": "earlier"},
        ),
        (
            "百度据悉准备推出文心大模型5.0",
            "据悉，百度计划于下月推出文心大模型5.0，目前尚未官宣。",
            "zh-Hans",
            {"model:ernie-5.0": "plan"},
        ),
        (
            "阿里云、「Qwen3-Max」を値下げ",
            "阿里云は1日、「Qwen3-Max」のAPI料金を3割引き下げると発表した。",
            "ja",
            {"model:qwen3-max": "price"},
        ),
    ],
)
def test_kind_of_mention(
    recognizer: EntityRecognizer, title: str, body: str, lang: str, expected: dict[str, str]
) -> None:
    kinds = _kinds(recognizer, title, body, lang)
    assert {k: kinds.get(k) for k in expected} == expected


def test_release_event_keeps_its_kind(recognizer: EntityRecognizer) -> None:
    [event] = _events(recognizer, "智谱发布GLM-5", "智谱今天发布并开源GLM-5,参数规模为3550亿。")
    assert event.facts["mention"] == "news"


def test_weights_kept_closed_are_no_open_weights(recognizer: EntityRecognizer) -> None:
    body = "阿里云今天发布Qwen3-Max。与此前的开源模型不同，Qwen3-Max并未开放权重。"
    [event] = _events(recognizer, "阿里云发布Qwen3-Max", body)
    assert "open_weights" not in event.facts


def test_umbrella_law_in_the_days_after_a_rule_is_that_rule(recognizer: EntityRecognizer) -> None:
    published = datetime(2023, 10, 18, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    title = "美国再度收紧对华芯片出口管制"
    body = (
        "美国商务部工业和安全局17日公布新规，进一步收紧芯片出口管制，并将13家中国企业列入实体清单。"
    )
    events, _ = _reports(recognizer, title, body, "zh-Hans", published)
    assert [(e.law_key, e.stage, e.org_key) for e in events] == [
        ("law:us-bis-october-2023-rules", "published", "gov:us-bis")
    ]


def test_enforcement_org_is_the_body_that_acted(recognizer: EntityRecognizer) -> None:
    title = "Ireland's data regulator fines a chatbot app under the GDPR"
    body = "Ireland's Data Protection Commission on Monday fined a chatbot app 5 million euros under the GDPR."
    [event] = _events(recognizer, title, body, "en")
    assert (event.law_key, event.stage, event.org_key) == (
        "law:eu-gdpr",
        "enforcement",
        "gov:ie-dpc",
    )


@pytest.mark.parametrize(
    ("title", "body", "lang"),
    [
        (
            "中國人大通過修正《網路安全法》",
            "全國人大常委會表決通過修正後的《網路安全法》。",
            "zh-Hant",
        ),
        (
            "改正サイバーセキュリティー法を可決",
            "全人代常務委員会は改正サイバーセキュリティー法を可決した。",
            "ja",
        ),
    ],
)
def test_law_name_forms_are_one_law(
    recognizer: EntityRecognizer, title: str, body: str, lang: str
) -> None:
    [event] = _events(recognizer, title, body, lang)
    assert (event.law_key, event.stage) == ("law:cn-cybersecurity-law", "amended")


def test_earlier_release_named_as_background_is_no_follow_up(
    recognizer: EntityRecognizer,
) -> None:
    title = "阿里云发布Qwen3-Max"
    body = "阿里云今天发布Qwen3-Max。去年开源的Qwen3已被下载数千万次，开放权重。"
    events, follow_ups = _reports(recognizer, title, body, "zh-Hans", PUBLISHED)
    assert [e.model_key for e in events] == ["model:qwen3-max"] and follow_ups == []


def test_series_named_beside_its_versions_is_no_release(recognizer: EntityRecognizer) -> None:
    body = "MiniMax今天发布并开源MiniMax-01系列模型，包括MiniMax-Text-01和MiniMax-VL-01。"
    candidates = candidates_of(
        ("MiniMax开源MiniMax-01系列模型", body),
        (
            recognizer.find("MiniMax开源MiniMax-01系列模型", "zh-Hans"),
            recognizer.find(body, "zh-Hans"),
        ),
        recognizer.gazetteer,
        PUBLISHED,
        (None, {}),
    )
    assert "model:minimax-01" not in {c.key for c in candidates}


def test_campaign_series_beside_its_campaign_is_no_step(recognizer: EntityRecognizer) -> None:
    title = "China launches three-month campaign to curb AI abuse"
    body = (
        'The Cyberspace Administration of China said it would run a campaign called "Qinglang: '
        'Rectifying the Abuse of AI Technology", the latest of its Qinglang clean-up drives.'
    )
    events = _events(recognizer, title, body, "en")
    assert [(e.law_key, e.stage) for e in events] == [("law:cn-qinglang-ai-abuse", "enforcement")]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        (  # an opinion title, in English
            "Opinion: Korea's AI Basic Act takes effect in January, and Asia is watching",
            "When Korea's AI Basic Act takes effect, Seoul will have a comprehensive AI law.",
        ),
        (  # a law named with no step said of it
            "Companies ask how the EU AI Act applies to their chatbots",
            "Lawyers say questions about the EU AI Act come up in every client meeting this year.",
        ),
    ],
    ids=["opinion-title", "no-step-said"],
)
def test_english_article_reports_nothing(
    recognizer: EntityRecognizer, title: str, body: str
) -> None:
    assert _events(recognizer, title, body, "en") == []


def test_names_added_to_a_list_amend_it(recognizer: EntityRecognizer) -> None:
    published = datetime(2025, 3, 26, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    title = "美商务部将80家实体列入实体清单"
    body = "美国商务部工业与安全局25日宣布，将80家实体列入实体清单，其中50余家为中国实体。"
    events, _ = _reports(recognizer, title, body, "zh-Hans", published)
    assert [(e.law_key, e.stage) for e in events] == [("law:us-entity-list", "amended")]


def test_stage_named_as_background_is_not_the_step(recognizer: EntityRecognizer) -> None:
    title = "China finalises facial recognition rules, dropping parts of the earlier draft"
    body = (
        "The Cyberspace Administration of China on Friday issued the Measures for the Security "
        "Management of Facial Recognition Technology Applications."
    )
    [event] = _events(recognizer, title, body, "en")
    assert event.stage == "published"


def test_size_in_another_models_name_is_no_parameter_count(recognizer: EntityRecognizer) -> None:
    title = "Developers put Hunyuan-Large and Llama 3.1 405B head to head"
    body = "A month after Tencent open-sourced Hunyuan-Large, developers compared it with Llama 3.1 405B."
    published = datetime(2024, 12, 10, 9, 0, tzinfo=UTC)
    events, follow_ups = _reports(recognizer, title, body, "en", published)
    assert "parameters" not in {k for e in [*events, *follow_ups] for k in e.facts}


def test_taking_effect_still_to_come_is_no_effective_step(recognizer: EntityRecognizer) -> None:
    published = datetime(2025, 8, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))
    title = "ネットワークデータ安全管理条例の施行まで1カ月"
    body = "2025年9月に施行される「ネットワークデータ安全管理条例」への対応を急ぐ企業が多い。"
    events, _ = _reports(recognizer, title, body, "ja", published)
    assert [e.stage for e in events] != ["effective"]


def test_release_dated_weeks_back_is_said_as_earlier(recognizer: EntityRecognizer) -> None:
    published = datetime(2025, 9, 20, 9, 0, tzinfo=UTC)
    title = "Developers adopt open video models"
    body = "Since Alibaba released Wan2.1 in May, developers have built many tools on it."
    [cand] = _candidates(recognizer, title, body, published)
    assert cand.features["dated_before"] == 1.0


def test_an_amount_is_no_model_version(recognizer: EntityRecognizer) -> None:
    published = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)
    title = "Regulator fines OpenAI 20 million euros"
    body = "The regulator fined OpenAI 20 million euros over how its chatbot handled data."
    assert [c.key for c in _candidates(recognizer, title, body, published)] == []


def test_names_put_on_a_list_amend_it(recognizer: EntityRecognizer) -> None:
    published = datetime(2025, 1, 2, 12, 0, tzinfo=UTC)
    title = "China puts 28 U.S. defence firms on its Unreliable Entity List"
    body = (
        "China's commerce ministry on Thursday placed 28 U.S. firms on its Unreliable Entity List."
    )
    [cand] = _candidates(recognizer, title, body, published)
    assert cand.features["title_amended"] == 1.0


def _candidates(recognizer: EntityRecognizer, title: str, body: str, published: datetime):  # type: ignore[no-untyped-def]
    """The model and law candidates of an English article, with their features."""
    return candidates_of(
        (title, body),
        (recognizer.find(title, "en"), recognizer.find(body, "en")),
        recognizer.gazetteer,
        published,
        (None, EventModel.load().centroids),
    )


def test_a_rule_the_gazetteer_does_not_know_still_has_its_step(
    recognizer: EntityRecognizer,
) -> None:
    """The recogniser's LAW span (here given as it would find it) is a candidate: the step is
    an event on that name, marked unlinked so another language's name can join it."""
    name = "智能体服务管理暂行规定"
    title = f"国家网信办发布《{name}》"
    body = f"国家互联网信息办公室今天发布《{name}》，规定自2026年9月1日起施行。规定要求服务提供者落实安全责任。"

    def found(text: str) -> list[Found]:
        start = text.index(name)
        ner = Found(start, start + len(name), name, "LAW", f"law:{name}", "ner")
        return [*recognizer.find(text, "zh-Hans"), ner]

    events, _ = detect_reports(
        title, body, found(title), found(body), recognizer.gazetteer, PUBLISHED
    )
    [event] = events
    assert (event.law_key, event.stage, event.org_key) == (f"law:{name}", "published", "gov:cn-cac")
    assert event.facts["unlinked"] is True
    [known] = _events(
        recognizer,
        "国家网信办发布生成式人工智能服务管理暂行办法",
        "国家网信办今天发布《生成式人工智能服务管理暂行办法》。",
    )
    assert "unlinked" not in known.facts
