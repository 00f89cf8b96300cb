"""The words and patterns claim extraction reads news copy with: countries and their
demonyms, casualty events, reporting verbs, attack words, numbers in words, range
modifiers ("at least", "a dozen"), framings, and the speaker patterns used where a
sentence is not parsed.
"""

from __future__ import annotations

import math
import re

# country | demonym (the key) | other names (capitals, short forms), one entry a line
_COUNTRIES = """
Azerbaijan|azerbaijani|azeri baku
Armenia|armenian|yerevan
Russia|russian|moscow kremlin
Turkey|turkish|ankara turkiye
Ukraine|ukrainian|kyiv kiev
United States|american|us u.s. usa america washington
United Kingdom|british|uk u.k. britain london
Iran|iranian|tehran
Iraq|iraqi|baghdad
Syria|syrian|damascus
Israel|israeli|jerusalem
Palestine|palestinian|ramallah
Lebanon|lebanese|beirut
Egypt|egyptian|cairo
Saudi Arabia|saudi|riyadh
Yemen|yemeni|sanaa
Afghanistan|afghan|kabul
Pakistan|pakistani|islamabad
India|indian|delhi
China|chinese|beijing
Japan|japanese|tokyo
North Korea|north korean|pyongyang
South Korea|south korean|seoul
France|french|paris
Germany|german|berlin
Italy|italian|rome
Spain|spanish|madrid
Canada|canadian|ottawa
Mexico|mexican|mexico-city
Australia|australian|canberra
Nigeria|nigerian|abuja
Libya|libyan|tripoli
Somalia|somali|mogadishu
Georgia|georgian|tbilisi
Belarus|belarusian|minsk
Poland|polish|warsaw
Sudan|sudanese|khartoum
Ethiopia|ethiopian|addis
Kenya|kenyan|nairobi
Jordan|jordanian|amman
Qatar|qatari|doha
Kurdistan|kurdish|kurd kurds
Philippines|filipino|philippine manila
Indonesia|indonesian|jakarta
Venezuela|venezuelan|caracas
Cuba|cuban|havana
"""
DEMONYM: dict[str, str] = {}  # any name -> demonym key
COUNTRY: dict[str, str] = {}  # demonym key -> country name
for _line in _COUNTRIES.strip().splitlines():
    _country, _key, _others = _line.split("|")
    COUNTRY[_key] = _country
    for _name in [_country.lower(), _key, *_others.split()]:
        DEMONYM[_name] = _key

EVENTS = {  # stem of a casualty word -> event key
    "kill": "killed", "die": "killed", "dead": "killed", "death": "killed", "slain": "killed",
    "martyr": "killed", "perish": "killed", "fatal": "killed", "toll": "killed", "behead": "killed",
    "wound": "wounded", "injur": "wounded", "hurt": "wounded", "captur": "captured", "detain": "captured",
    "miss": "missing", "arrest": "arrested", "evacu": "evacuated", "displac": "displaced",
    "casualti": "casualties",
}
EVENT_NOUNS = {"death", "fatal", "casualti", "toll"}
MILITARY = {"troop", "soldier", "servicemen", "serviceman", "personnel", "servicememb", "forc", "militari"}
REPORTING = {"say", "said", "tell", "told", "report", "add", "state", "claim", "announc", "note", "insist",
             "confirm", "alleg", "warn", "declar", "write", "wrote", "tweet", "estim", "accus", "blame"}
ATTACK_VERBS = {"attack", "shell", "bomb", "invad", "provok", "trigger", "infiltr", "raid", "assault",
                "ambush", "target", "break", "initi", "start", "launch"}
ATTACK_NOUNS = {"attack", "aggress", "offens", "provoc", "assault", "incurs", "invas", "shell", "bombard",
                "raid", "infiltr"}
FORCE_WORDS = {"militari", "armi", "militant", "fighter", "rebel", "insurg", "jihadist", "unit", "forc"}
FIGHT_WORDS = {"fight", "war", "clash", "hostil", "battl", "conflict", "attack", "offens"}
ORG_WORDS = {"ministry", "office", "agency", "government", "army", "military", "forces", "police",
             "department", "council", "committee", "service", "news", "officials", "authorities", "media",
             "sources", "command", "headquarters", "sides", "side", "spokesman", "spokeswoman"}
PRONOUNS = {"he", "she", "it", "they", "we", "i"}
BAD_ENTS = {"DATE", "TIME", "PERCENT", "MONEY", "ORDINAL", "QUANTITY"}
UNITS = {"day", "week", "month", "year", "hour", "minute", "kilometer", "km", "mile", "meter", "metre",
          "kilometre", "percent", "foot", "feet", "mm", "calibre", "caliber"}

WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
WORD_NUMBERS.update({w: 10 * (i + 2) for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split())})
SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "dozen": 12}
VAGUE = {"dozens": (24, 144), "hundreds": (200, 999), "thousands": (2000, 999_999), "scores": (40, 200)}
INF = math.inf

NUM_RE = (r"\b(\d[\d,.]*|" + "|".join(list(WORD_NUMBERS) + list(SCALES) + list(VAGUE)) + r")\b")
CANDIDATE = [
    re.compile(NUM_RE + r"[\s\S]*\b(kill|die[ds]?\b|dead|death|slain|martyr|perish|fatalit|toll|behead|wound"
               r"|injur|hurt|captur|detain|prisoner|captive|hostage|missing|arrest|evacu|displac|casualt)"),
    re.compile(r"\b(kill|die[ds]?\b|dead|death|slain|martyr|perish|fatalit|toll|behead|wound|injur|hurt"
               r"|captur|detain|prisoner|captive|hostage|missing|arrest|evacu|displac|casualt)[\s\S]*" + NUM_RE),
    re.compile(r"\b(attack|shell(s|ed|ing)?\b|bomb|invad|invasion|provo[ck]|trigger|initiat|infiltrat|raid|assault"
               r"|ambush|aggress|offensive|incursion|accus|blame|responsib|break through|target)"),
]
FRAMES = [  # topic, frame, pattern
    ("territory", "liberation", re.compile(r"\bliberat\w*|\billegal(ly)? occupation|\bde-?occupation", re.I)),
    ("territory", "concession", re.compile(r"\bced(e|ed|es|ing)\b|\bsurrender(ed)? (of )?territor", re.I)),
    ("outcome", "retreat", re.compile(r"\bretreat(s|ed)?\b|\bwithdr[ae]w\b|\bpulled back\b", re.I)),
    ("outcome", "ceasefire", re.compile(r"\bcease-?fire\b|\bcease fire\b|\btruce\b", re.I)),
]
TOPIC_ABOUT = {"territory": "How territory changed hands", "outcome": "How the fighting ended"}
PAST = re.compile(r"\b(a year ago|years ago|last year|(19|20)\d\d war|(in|since) (19|20)\d\d)\b", re.I)
MODIFIERS = [  # words before a number -> (low, high) as functions of n
    (("at least", "no fewer than", "no less than", "a minimum of"), lambda n: (n, INF)),
    (("more than", "over", "upwards of", "in excess of"), lambda n: (n + 1, INF)),
    (("at most", "up to", "no more than", "as many as"), lambda n: (0, n)),
    (("fewer than", "less than", "under"), lambda n: (0, n - 1)),
    (("nearly", "almost", "close to"), lambda n: (math.floor(n * 0.9 + 1e-9), n)),
    (("about", "around", "approximately", "roughly", "some", "an estimated", "estimated"),
     lambda n: (math.floor(n * 0.9 + 1e-9), math.ceil(n * 1.1 - 1e-9))),
]
_REPORT_RE = (r"(?:said|says|told|tells|reported|reports|added|adds|stated|claimed|claims|announced|noted"
              r"|insisted|confirmed|alleged|warned|declared|wrote|tweeted)")
_WORDS = r"((?:[\w’'.-]+\s+){0,7}?[\w’'.-]+)"
SPEAKER_RES = [
    re.compile(r"\baccording to ((?:[\w’'.-]+ ?){1,8}?)\s*(?:[,.;:]|$)", re.I),
    re.compile(r"[,”\"]\s+" + _WORDS + r"\s+(?:also\s+)?" + _REPORT_RE + r"\b"),
    re.compile(r"^" + _WORDS + r"\s+(?:also\s+|later\s+|earlier\s+)?" + _REPORT_RE + r"\b"),
]
