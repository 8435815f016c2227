"""Whether a span the statistical recogniser (or a quoted phrase) proposes can be a name.

The statistical model sometimes marks descriptions and everyday words as names (API,
エキスパート, 美国发布, AI機能, 'Mamba架构，输出价格…'). A name has no sentence punctuation
inside, is not a bare acronym of a few capitals (the gazetteer lists the organisations that
go by one; in Japanese, so does Sudachi, as proper nouns: NEC, NASA, not API), and is not one
everyday word of the language: a word that Japanese's dictionary (Sudachi, bundled with
ja-ginza) files as a common noun or a place (not a word it does not know, which it files as
a common noun too, nor a ministry: 金融庁), or that Chinese's (jieba's, read in simplified
characters) files under a part of speech other than a person, organisation or other proper
name. Nor is it a description:
- words with no proper noun among them ending in a kanji (Sudachi), or a Chinese phrase with a
  verb in it, or of dictionary words ending in a common noun with no proper noun before it;
- a Latin word followed by common words (AI機能, GPU群, Python项目, MoEモデル), unless an
  organisation's head word ends it (TCL科技), it is a law (AI法, CHIPS法: laws are so named)
  or, in Japanese, a product or model numbered (H800); a Japanese katakana or Latin name and
  社 is a firm (フェンダー社), and so is a name with a legal form (株式会社);
- in Japanese, a span with a verb, but for laws and persons (オリックス破る: a headline cut);
- a phrase with a particle or auxiliary (AIに特化した法律, AI芯片的数值格式, AI芯片及);
- a person, model or product made only of common words (デジタルヒューマン, 非思考モード,
  政策力度空前); kanji-only persons stay, as Sudachi splits Chinese names into common nouns
  (梁文鋒), and so does jieba;
- in Chinese, two names side by side (李明 王芳: Chinese names hold no space), or a person in
  Han characters longer than a Chinese name (我国智能算力规模快速增长), starting with a
  character no person name starts with (竞争是), or anonymous (张女士, 王某). The Chinese
  phrase rules spare a law's title ending in a title's head (关于…的通知, 数据安全管理办法;
  not 关于修, a cut), a body ending in its head but for a verb of two characters (宇树科技,
  国家发展改革委; not 收购公司, …要求市府), a dictionary word that a proper stem and a
  head make (路透社, not 出版社), a Chinese person's name whose characters are words
  (向文波) or a transliteration with · (因德米特·吉尔), and a body's or law's seat or status
  in parentheses (…（北京）有限公司, 办法（试行）). A firm's registered name, ending in its
  legal form, may hold any verb (腾讯控股有限公司); a body's name a verb that is neither first
  nor right after a name (投资促进局, 终审法院; not …国务院要求市府); common words before a
  head that ends no description name a firm (招商证券; not 芯片公司, 金融科技), places,
  times and distinctions before a head describe one (国内半导体, 大型科技公司);
- (`law_headed`, for the recogniser's spans) a law whose name ends in no law's or rule's
  head (AI向け半導体, AI半導体輸出, Official Journal): laws end in 法, 条例, 办法, 規則,
  ガイドライン, 指針 and their like, English ones hold Act, Law, Rule, List, Measures and
  their like, a standard is its number (GB/T 45288.1);
- a government body whose last character is no body's head (米国製品, 中國模型): bodies end
  in 部, 省, 局, 委员会, 政府 and their like (Japanese ones also in 連合, 同盟, 裁: 国際連合,
  東京高裁; not 機関, as 規制機関 names none).
In English (and any other language; Latin script) a name may be longer and hold an apostrophe
(People's Daily), but starts and ends with no function word (It, Most AI, Working out), holds
no calendar word (June 2017), is no nationality (Irish) and has a capital or a digit.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from nlp.fold import fold

MAX_NAME_CHARS = 24
_PUNCTUATION = re.compile(r"[，。、；：！？（）()「」『』《》〈〉【】“”\"'…—―,;:!?]")
_ACRONYM = re.compile(r"^[A-Z]{1,4}s?$")
_HAN_ONLY = re.compile(r"^[\u3400-\u9fff]+$")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_KANA_OR_DIGIT = re.compile(r"[\u3040-\u30ff0-9]")
_HAN_SPACE_HAN = re.compile(r"[\u3400-\u9fff]\s+[\u3400-\u9fff]")
# A Chinese name in Han characters: a surname and a given name of one or two characters,
# or a two-character surname (欧阳, 司马); longer names are transliterations, written with ·.
MAX_CHINESE_PERSON = 4
PERSON_INITIAL_MIN = 5
ANONYMOUS_PERSON = ("先生", "女士", "小姐", "某")  # 王先生, 张女士, 李某: nobody to track
PROPER_TAGS = ("nr", "nrt", "nrfg", "nt", "nz")  # jieba: person, organisation, other proper
FUNCTION_TAGS = ("c", "p", "u", "uj", "ul", "uz", "ug", "uv", "ud", "y", "e")  # jieba
DESCRIBED = ("ORG", "PRODUCT", "MODEL")  # labels whose spans can be descriptions
# Head words that make "<Latin> + head" an organisation's name, not a description.
ORG_HEADS = (
    "科技", "集团", "电子", "控股", "股份", "研究院", "研究所", "实验室", "银行", "电机",
    "ホールディングス", "グループ", "実験室", "大学", "銀行", "電子", "電機",
    "証券", "ジャパン",
    # company-name heads: an industry word that ends a firm's name (藤沢薬品工業, 名古屋電気鉄道)
    "工業", "産業", "鉄道", "電鉄", "電気", "電力", "電工", "自動車", "汽車", "製薬", "薬品",
    "化学", "重工", "製作所", "造船所", "商事", "物産", "建設", "放送", "新聞", "信託",
    "生命", "保険", "航空", "海運", "公社", "汽车", "电气", "电力", "制药", "药业", "保险",
    "证券", "传媒", "软件", "半导体", "微电子",
    # Japanese bodies and firms named by their form or an old trade (日本亜鉛製錬株式会社,
    # 宝塚歌劇団, 松江電灯), words that end no description (not 連合, 学会: 企業連合, 国際学会)
    "株式会社", "協会", "楽団", "劇団", "財団", "商会", "公団", "事業団", "日報", "書房",
    "電灯", "紡績", "製菓", "興業", "酒造", "百貨店", "製紙", "製油", "製糖", "製鉄", "製鋼",
    "瓦斯", "インターナショナル", "エンタテインメント",
)  # fmt: skip
GOV_HEADS = set("部省庁厅局署院会委府办弁室处所党军队组司团権权馆館行")  # last characters
# Chinese bodies with other heads (国家互联网应急中心, 原讼法庭)
ZH_GOV_HEADS = ("中心", "法庭")
# Chinese heads that end an organisation's name and no description with a verb in it: a name
# ending in one may hold verbs (宇树科技, 华泰证券研究所), a dictionary word may be one (路透社)
ZH_ORG_HEADS = (
    "公司", "社", "学院", "学部", "研究中心", "研发院", "基金", "资本", "创投", "日报", "时报",
    "晚报", "投顾", "金控", "事业部", "委员会", "交易所", "分行", "支行", "俱乐部", "队", "体育会",
)  # fmt: skip
# A parenthesis inside a Chinese body's or law's name: its seat or a law's status and years
# (摩尔线程智能科技（北京）股份有限公司, 办法（试行）, 方案（2025—2027年）)
_ZH_PARENTHETICAL = re.compile(r"(?<=.)[（(][^（）()，。、；：！？「」『』《》“”]{1,12}[）)]")
PARENTHESISED = ("ORG", "GOV", "LAW")
# A Chinese firm's legal form: its registered name ends in one and may hold any verb
# (腾讯控股有限公司, 台湾积体电路制造股份有限公司); no description ends so
ZH_LEGAL_FORMS = ("有限公司", "有限责任公司", "股份公司")
# Heads that end a firm's or paper's name and no description, even after common words
# (招商证券, 汇丰控股, 经济观察报; not 公司, 集团, 科技, 银行: 芯片公司, 汽车集团, 金融科技)
ZH_NAME_HEADS = ("证券", "控股", "投顾", "金控", "日报", "时报", "晚报", "观察报", "都市报")
# jieba's tags of words that describe a firm rather than name it, before its head: places,
# times, distinctions, pronouns (国内半导体, 现代汽车, 大型科技公司, 该公司)
DESCRIBING_TAGS = ("s", "t", "b", "r")
# What a Chinese law's, rule's or policy's title ends in: such a title is a phrase and may
# hold verbs, 的 and 关于 (关于加快推进…的通知); a report or a cut (关于修) does not end so
LAW_TITLE_HEADS = (
    "法", "法案", "条例", "办法", "规定", "通知", "意见", "措施", "方案", "指南", "指引",
    "规则", "准则", "框架", "计划", "决定", "细则", "规范", "标准", "草案", "纲要", "公约",
)  # fmt: skip
# What else ends a Japanese law's or rule's name (AI事業者ガイドライン, 輸出管理規則, 政令)
JA_LAW_HEADS = (
    "法律", "令", "規則", "規制", "規程", "規定", "指針", "ガイドライン", "基準", "条約", "協定",
    "制度", "リスト", "規範", "戦略", "原則", "要件", "要綱", "措置", "枠組み", "宣言", "告示",
    "通達", "備案", "要求", "行動", "計画",
)  # fmt: skip
# words one of which an English law's, rule's or list's name holds (Interim Measures for …)
ENGLISH_LAW_WORDS = frozenset(
    (
        "act", "acts", "law", "laws", "rule", "rules", "regulation", "regulations", "directive",
        "code", "order", "measures", "provisions", "standard", "standards", "guidelines",
        "guideline", "list", "framework", "bill", "treaty", "convention", "plan", "strategy",
        "principles", "decree", "ordinance", "requirements", "declaration",
    )
)  # fmt: skip
_STANDARD_NUMBER = re.compile(r"^[A-Z]{1,4}(?:/[A-Z]{1,3})?\s?[0-9]")  # GB/T 45288.1, SB 53
_LAW_HEADS_FOLDED = tuple(fold(head) for head in (*LAW_TITLE_HEADS, *JA_LAW_HEADS))
# Japanese bodies with other heads (国際連合, 欧州共同体, 東京高裁); not 機関 (規制機関)
JA_GOV_HEADS = ("連合", "連盟", "同盟", "共同体", "裁")
# Sudachi files the ministries and agencies as one common noun (文部省, 金融庁)
JA_MINISTRY = re.compile(r"^[\u3400-\u9fff]{2,}[省庁]$")
# a katakana or Latin name and 社 (フェンダー社, BLW社); with a kanji word it describes (調査会社)
_NAMED_COMPANY = re.compile(r"^[\u30a0-\u30ffA-Za-z0-9&.\- ]+社$")
_KATAKANA = re.compile(r"^[\u30a0-\u30ff]+$")
LEGAL_FORMS = ("株式会社", "有限会社", "合同会社")  # a firm's legal form, before or after it
_COMMON_JA = ("普通名詞", "数詞")  # Sudachi pos[1] of common nouns and numerals
_AFFIX_JA = ("接頭辞", "接尾辞", "補助記号", "形状詞")  # Sudachi pos[0]


@lru_cache(maxsize=65536)
def can_be_name(surface: str, lang: str, label: str = "ORG") -> bool:
    """Cached, as an article names the same entity again and again."""
    if lang != "ja" and not lang.startswith("zh"):
        return _english_name(surface)
    if len(surface) > MAX_NAME_CHARS or _PUNCTUATION.search(_unbracketed(surface, lang, label)):
        return False
    if _ACRONYM.match(surface) and not (lang == "ja" and _japanese_proper(surface)):
        return False
    if label == "GOV" and _HAN.match(surface[-1]) and not _gov_head(surface, lang):
        return False
    if label == "GOV" and surface.endswith("当局"):  # "the authorities" (米当局) names no body
        return False
    describable = label in DESCRIBED and not _LATIN.search(surface)
    if lang == "ja":
        return _japanese_name(surface, label, describable)
    return _chinese_name(fold(surface), label, describable)


def law_headed(surface: str, lang: str) -> bool:
    """Whether a law's name ends in a law's head (or, in English, holds a law word), or is a
    standard's number: asked of the recogniser's law spans (a parenthesised alias beside a
    known law needs none)."""
    surface = _unbracketed(surface, lang, "LAW")
    if _STANDARD_NUMBER.match(surface):
        return True
    if _LATIN.search(surface[-1]):
        return any(w.lower() in ENGLISH_LAW_WORDS for w in re.findall(r"[A-Za-z]+", surface))
    return fold(surface).endswith(_LAW_HEADS_FOLDED)


def _unbracketed(surface: str, lang: str, label: str) -> str:
    """`surface` without the parentheses a Chinese body's or law's name may hold."""
    if lang.startswith("zh") and label in PARENTHESISED:
        return _ZH_PARENTHETICAL.sub("", surface)
    return surface


def _gov_head(surface: str, lang: str) -> bool:
    """Whether a government body's name ends in a body's head (部, 省, 委员会, 中心; 連合 in
    Japanese) or, in Chinese, is one organisation of jieba's dictionary (联合国, 世界卫生组织)."""
    if fold(surface[-1]) in GOV_HEADS:
        return True
    if lang == "ja":
        return surface.endswith(JA_GOV_HEADS)
    folded = fold(surface)
    return folded.endswith(ZH_GOV_HEADS) or _chinese_words().get(folded) == "nt"


def _japanese_name(surface: str, label: str, describable: bool) -> bool:
    tokens = [(t.surface(), t.part_of_speech(), t.is_oov()) for t in _sudachi().tokenize(surface)]
    if len(tokens) == 1 and _japanese_word(tokens[0], label):
        return False
    if any(pos[0] == "助動詞" or (pos[0] == "助詞" and label != "LAW") for _, pos, _ in tokens):
        return False  # a law's name may say の and に関する, no other name does
    if label not in ("LAW", "PERSON") and any(pos[0] == "動詞" for _, pos, _ in tokens):
        return False  # a headline's verb (オリックス破る); Sudachi reads 来 in 薄煕来 as one
    if label == "ORG" and _NAMED_COMPANY.match(surface):
        return True
    numbered = label in ("PRODUCT", "MODEL") and _model_number(tokens)
    if not numbered and _latin_description(
        surface, label, tokens, lambda t: not _LATIN.search(t[0])
    ):
        return False
    if _plain(surface, label) and all(_common_japanese(t) for t in tokens):
        return False
    return not (describable and _japanese_description(tokens))


def _japanese_word(token: tuple, label: str) -> bool:  # type: ignore[type-arg]
    """Whether one Sudachi token is an everyday word or a place, not a name: a common noun
    of the dictionary, but not a word it does not know (it files those as common nouns too:
    ラオックス, ウォマック, Anthropic) nor a ministry or agency (文部省, 金融庁)."""
    surface, pos, oov = token
    if pos[2] == "地名":
        return True
    if pos[1] != "普通名詞" or (oov and len(surface) > 1):
        return False
    return not (label in ("ORG", "GOV") and JA_MINISTRY.match(surface))


def _japanese_proper(surface: str) -> bool:
    """Whether Sudachi knows `surface` as one proper noun (IBM, NHK, NASA; not API, GPU)."""
    tokens = _sudachi().tokenize(surface)
    return (
        len(tokens) == 1 and not tokens[0].is_oov() and tokens[0].part_of_speech()[1] == "固有名詞"
    )


def _model_number(tokens: list) -> bool:  # type: ignore[type-arg]
    """A Latin name and a number only (H800, YZ400, B-17): how products and models are named."""
    tail = [t for t in tokens if not _LATIN.search(t[0])]
    return all(pos[1] == "数詞" or pos[0] == "補助記号" for _, pos, _ in tail)


def _plain(surface: str, label: str) -> bool:
    """Whether a span of common words only is no name: a person written with kana or digits
    (a kanji one may be a Chinese name), an organisation with a number, a model or product
    without a Latin name or version."""
    if label == "PERSON":
        return bool(_KANA_OR_DIGIT.search(surface))
    if label in ("ORG", "GOV"):  # 第3グループ: a numbered group of common words
        return bool(re.search(r"[0-9]", surface))
    return label in ("MODEL", "PRODUCT") and not re.search(r"[A-Za-z0-9]", surface)


def _latin_description(  # type: ignore[no-untyped-def]
    surface: str,
    label: str,
    words: list,
    is_tail,  # type: ignore[type-arg]
) -> bool:
    """A Latin word and common words after it (AI機能, Python项目), not an organisation's
    head (TCL科技) nor a law's (CHIPS法)."""
    if label == "LAW" or not _LATIN.match(surface) or not _common_tail(words, is_tail):
        return False
    return not (label == "ORG" and surface.endswith(ORG_HEADS))


def _common_tail(words: list, is_tail) -> bool:  # type: ignore[no-untyped-def, type-arg]
    """Whether the words after a leading Latin name are all common ones (and there are some)."""
    tail = [w for w in words if is_tail(w)]
    return bool(tail) and words[-len(tail) :] == tail and all(map(_common_word, tail))


def _common_word(word: tuple) -> bool:  # type: ignore[type-arg]
    """A Sudachi token (surface, pos, oov) or a jieba (word, flag) pair of an everyday word."""
    if len(word) == 3:
        return _common_japanese(word)
    return word[1] not in (*PROPER_TAGS, "ns", "eng", "x") and word[0] in _chinese_words()


def _common_japanese(token: tuple) -> bool:  # type: ignore[type-arg]
    surface, pos, oov = token
    if pos[1] == "固有名詞" or (oov and len(surface) > 1 and pos[1] != "数詞"):
        return False
    return pos[1] in _COMMON_JA or pos[0] in _AFFIX_JA


def _japanese_description(tokens: list) -> bool:  # type: ignore[type-arg]
    """Common nouns and places ending in a kanji head (クラウド基盤, 米国製品, 中国勢) or
    joined by a kanji affix (サーバー向けプロセッサー, ネイティブ全モーダル). Katakana
    compounds of common words (ミナトロボティクス), a kanji word before katakana (楽天モバイル)
    and an organisation's head (上海人工知能実験室) are how companies are named: they stay."""
    if any(pos[1] == "固有名詞" and pos[2] != "地名" for _, pos, _ in tokens):
        return False  # a place and common words describe (中国検索大手, 東京株式市場)
    if any(oov and len(s) > 1 and _KATAKANA.match(s) for s, _, oov in tokens):
        return False  # a katakana word the dictionary does not know is a name (カターレ富山)
    surface = "".join(t[0] for t in tokens)
    if surface.endswith(ORG_HEADS) or any(form in surface for form in LEGAL_FORMS):
        return False
    affix = any(pos[0] in ("接頭辞", "接尾辞") and _HAN.search(s) for s, pos, _ in tokens)
    return affix or bool(_HAN.search(tokens[-1][0]))


def _chinese_name(surface: str, label: str, describable: bool) -> bool:
    """`surface` is folded to simplified characters, as jieba's dictionary is written. A law's
    title is a phrase (关于…的通知, 数据安全管理办法), so the phrase rules spare it; so do
    they a body ending in its head (宇树科技, 国家发展改革委), and a person's name whose
    characters are also words (向文波, 杨崇和)."""
    import jieba.posseg

    headed = _chinese_headed(surface, label)
    if _HAN_ONLY.match(surface) and _chinese_words().get(surface, "nr") not in PROPER_TAGS:
        return headed and _proper_stem(surface)
    if _HAN_SPACE_HAN.search(surface):  # two names side by side: 李明 王芳, 编辑 赵磊
        return False
    if label == "PERSON" and _HAN_ONLY.match(surface) and not _chinese_person(surface):
        return False
    words = [(w.word, w.flag) for w in jieba.posseg.lcut(surface, HMM=False)]
    if label == "LAW" and _unbracketed(surface, "zh", label).endswith(LAW_TITLE_HEADS):
        return True
    person = label == "PERSON" and (
        (_HAN_ONLY.match(surface) and len(surface) > 2) or "·" in surface  # 因德米特·吉尔
    )
    cut = words[0][1] in FUNCTION_TAGS or words[-1][1] in FUNCTION_TAGS
    if (cut and not person and not headed) or ("的", "uj") in words:
        return False  # 及 at an end is a cut, 的 inside a description
    if _latin_description(surface, label, words, lambda w: w[1] != "eng"):
        return False
    if label != "PERSON" and _plain(surface, label) and all(map(_common_word, words)):
        return False
    if label == "PERSON":
        return True
    if headed and _verb_first(words):
        return False  # 收购公司 describes; 宇树科技, 追觅科技 name
    if label == "ORG" and surface.endswith(ZH_LEGAL_FORMS):
        return True
    if headed:
        head = _head_of(surface)
        stem = [(w.word, w.flag) for w in jieba.posseg.lcut(surface[: -len(head)], HMM=False)]
        one_name = len(words) == 1 and words[0][1] in PROPER_TAGS  # 兴业银行, 科技日报
        if describable and not one_name and _described(stem):
            return False  # 国内半导体, 大型科技公司, 该公司
        body = words[:-1] if words[-1][0] == head else words  # 控股 heads 汇丰控股: no verb
        if _chinese_description(body, False, verbs_describe=False):
            return False
        named_by_head = surface.endswith(ZH_NAME_HEADS)  # 招商证券; not 芯片公司, 金融科技
        return not (describable and not named_by_head and _common_nouns(words))
    return not _chinese_description(words, describable)


def _verb_first(words: list[tuple[str, str]]) -> bool:
    """A verb of two or more characters first: a description (收购公司), not a brand's
    character (追觅科技, 达能集团)."""
    return words[0][1] == "v" and len(words[0][0]) > 1


def _described(stem_words: list[tuple[str, str]]) -> bool:
    """Whether the words before a firm's head only describe it: heads (汽车集团, 科技公司),
    places, times, distinctions (国内半导体, 大型科技公司), not a brand (小米集团, 宇树科技)."""
    heads = _zh_org_heads()
    return all(w in heads or f in DESCRIBING_TAGS for w, f in stem_words)


def _describing_verb(words: list[tuple[str, str]], at: int, in_a_body: bool) -> bool:
    """A verb makes a phrase a description; in a body's name ending in its head, only a verb
    of two or more characters first or right after a name does (收购公司, …国务院要求市府),
    not one inside the name (投资促进局, 终审法院, 社会组织管理局), a verbal noun (发展,
    改革) nor one character of a brand (宇树, 网信办)."""
    word, flag = words[at]
    if not flag.startswith("v"):
        return False
    if not in_a_body:
        return True
    return flag != "vn" and len(word) > 1 and (at == 0 or _names_a_body(*words[at - 1]))


def _names_a_body(word: str, flag: str) -> bool:
    """Whether a word is a name (国务院, 腾讯, 北京) or a body's (市政府): a verb after it
    says what that body does."""
    return flag in (*PROPER_TAGS, "ns") or (len(word) > 1 and word[-1] in GOV_HEADS)


def _chinese_headed(surface: str, label: str) -> bool:
    """Whether a body's name ends in its head: an organisation's (科技, 证券, 公司, 社) or a
    government body's (部, 局, 委, 中心)."""
    if label == "GOV":
        return surface[-1] in GOV_HEADS or surface.endswith(ZH_GOV_HEADS)
    return label == "ORG" and surface.endswith(_zh_org_heads())


def _proper_stem(surface: str) -> bool:
    """Whether a dictionary word ending in a body's head is named by what comes before it:
    no everyday word (路透社; not 出版社, 分公司)."""
    stem = surface[: -len(_head_of(surface))]
    return len(stem) > 1 and _chinese_words().get(stem, "nz") in PROPER_TAGS


def _head_of(surface: str) -> str:
    """The longest body's head `surface` ends in (one _chinese_headed found there)."""
    heads = (*_zh_org_heads(), *GOV_HEADS, *ZH_GOV_HEADS)
    return max((h for h in heads if surface.endswith(h)), key=len)


@cache
def _zh_org_heads() -> tuple[str, ...]:
    """ORG_HEADS and ZH_ORG_HEADS folded as the surfaces they end are (證券 as 证券)."""
    return tuple({fold(head) for head in (*ORG_HEADS, *ZH_ORG_HEADS) if _HAN.match(head)})


def _chinese_person(surface: str) -> bool:
    """A person's name in Han characters: no longer than a Chinese name, starting with a
    character that starts person names (jieba's dictionary), and not an anonymous mention
    (张女士, 王某)."""
    return (
        len(surface) <= MAX_CHINESE_PERSON
        and surface[0] in _person_initials()
        and not surface.endswith(ANONYMOUS_PERSON)
    )


@cache
def _person_initials() -> frozenset[str]:
    """The characters that start at least PERSON_INITIAL_MIN of the two- and three-character
    person names of jieba's dictionary: surnames, and the first characters of
    transliterations (阿, 奥, 萨); not 竞, 我 or 据, which start a phrase read as a name."""
    counts: dict[str, int] = {}
    for word, tag in _chinese_words().items():
        if tag == "nr" and len(word) in (2, 3):
            counts[word[0]] = counts.get(word[0], 0) + 1
    return frozenset(c for c, n in counts.items() if n >= PERSON_INITIAL_MIN)


def _chinese_description(
    words: list[tuple[str, str]], describable: bool, verbs_describe: bool = True
) -> bool:
    if any(_describing_verb(words, at, not verbs_describe) for at in range(len(words))):
        return True
    return describable and _common_nouns(words)


def _common_nouns(words: list[tuple[str, str]]) -> bool:
    """Dictionary words ending in a common noun, no proper name among them (芯片公司,
    国产大模型厂商)."""
    proper = any(flag in (*PROPER_TAGS, "ns") for _, flag in words)
    known = all(len(word) > 1 for word, _ in words)  # 智元机器人: an unknown 智元 may be a name
    return words[-1][1] == "n" and known and not proper


def words_of(text: str, ja: bool) -> list[tuple[int, int]]:
    """(start, end) of the words of `text`, by Sudachi's dictionary (`ja`) or jieba's."""
    if ja:
        return [(t.begin(), t.end()) for t in _sudachi().tokenize(text)]
    import jieba

    spans, start = [], 0
    for word in jieba.lcut(fold(text), HMM=False):
        spans.append((start, start + len(word)))
        start += len(word)
    return spans


def chinese_word_around(text: str, start: int, end: int) -> bool:
    """Whether a word of jieba's dictionary longer than text[start:end] covers it. Without
    one, no word of words_of(text, False) holds that span (one with a Han character) and
    more, as jieba (without HMM) joins characters only into its dictionary's words (its FREQ
    table, which also holds every prefix of a word with frequency 0) and runs of Latin
    letters or digits; asking this first spares segmenting the text around most CJK names."""
    import jieba

    jieba.dt.check_initialized()
    folded, freq = fold(text), jieba.dt.FREQ
    for s in range(start + 1):
        e = s + 1
        while e <= len(folded) and folded[s:e] in freq:
            if e >= end and e - s > end - start and freq[folded[s:e]]:
                return True
            e += 1
    return False


@lru_cache(maxsize=65536)
def is_word(text: str, ja: bool) -> bool:
    """Whether `text` is one word of the dictionary (Sudachi's if `ja`, else jieba's)."""
    if ja:
        tokens = _sudachi().tokenize(text)
        return len(tokens) == 1 and not tokens[0].is_oov()
    return fold(text) in _chinese_words()


@cache
def _sudachi():  # type: ignore[no-untyped-def]
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").create(SplitMode.C)


def _chinese_words() -> dict[str, str]:
    """Every word of jieba's dictionary with its part of speech (jieba.posseg's own table)."""
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab


# Calendar words: a span holding one is a date or a holiday (June 2017, Jan. 1, Lunar New Year)
CALENDAR_WORDS = frozenset(
    (
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december", "monday", "tuesday", "wednesday",
        "thursday", "friday", "saturday", "sunday", "day", "year",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    )
)  # fmt: skip
# A single capitalised word with a nationality's or language's ending (Irish, Japanese)
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:ese|ish)$|^[A-Z][a-z]{3,}(?:ian|ean)$")
_ENGLISH_WORD = re.compile(r"[A-Za-z0-9][\w.&'’-]*")
# English names are longer than CJK ones (Cyberspace Administration of China) and may hold an
# apostrophe (People's Daily), but not a possessive at their end (Alibaba's)
MAX_ENGLISH_NAME_CHARS = 64
_ENGLISH_PUNCTUATION = re.compile(r"[，。、；：！？（）()「」『』《》〈〉【】“”\"…—―,;:!?]|['’]s$")


def _english_name(surface: str) -> bool:
    """Whether a Latin-script span can be a name: English capitalises every sentence start,
    so the model's errors are everyday words there (It, Some, Working out), dates (June 2017)
    and nationalities (Irish). A name does not start or end with a function word (spaCy's
    English stop words: the, it, most, out) or start with a number word (Eighteen), holds no
    calendar word, is not a nationality, and has a capital or a digit (not "the ministry")."""
    if len(surface) > MAX_ENGLISH_NAME_CHARS or _ENGLISH_PUNCTUATION.search(surface):
        return False
    if _ACRONYM.match(surface):  # AI, CEO: the gazetteer lists those that name a body
        return False
    words = _ENGLISH_WORD.findall(surface)
    if not words or not _LATIN.search(surface):
        return len(surface) <= MAX_NAME_CHARS  # another script: no English rule applies
    from spacy.lang.en.lex_attrs import like_num
    from spacy.lang.en.stop_words import STOP_WORDS

    if words[0].lower() in STOP_WORDS or words[-1].lower() in STOP_WORDS:
        return False
    if any(word.lower().rstrip(".") in CALENDAR_WORDS for word in words):
        return False
    if words[0].isalpha() and like_num(words[0]):  # Eighteen, Two: a count starts it
        return False
    if len(words) == 1 and _DEMONYM.match(surface):
        return False
    return bool(re.search(r"[A-Z0-9]", surface))

