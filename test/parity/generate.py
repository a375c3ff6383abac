"""Records DSPy 3.3.1's own adapter behaviour as JSON fixtures for dspex's parity tests.

Usage (from the repository root):

    python3 test/parity/generate.py            # writes test/parity/fixtures/*.json
    python3 test/parity/generate.py --seed 7   # another random draw (the committed one uses the default)

Needs the DSPy source (DSPY_SRC) and json_repair's `src` folder (JSON_REPAIR_SRC); see dspy_env.py.
pydantic 2 must be importable. Nothing else: missing third-party imports are stubbed.

What it records, from seeded random cases:
  - <adapter>-format.json: ChatAdapter / JSONAdapter / XMLAdapter `format(signature, demos, inputs)`;
  - <adapter>-parse.json: the same adapters' `parse(signature, completion)` result or exception
    (class name and message), for well-formed and broken completions;
  - json-repair.json: every string DSPy handed to `json_repair.loads` while recording the parse cases,
    plus a hand-written corpus, with json_repair's result; likewise for `ast.literal_eval`.

Values are JSON; what JSON cannot hold is tagged: {"$float": "nan"|"inf"|"-inf"}, {"$int": "<digits>"}
for integers beyond 2**53, {"$tuple": [...]}, {"$set": [...]}, {"$repr": "..."} for anything else.
"""
import argparse
import ast
import json
import math
import os
import pathlib
import random
import re
import sys

os.environ.setdefault("PYDANTIC_ERRORS_INCLUDE_URL", "0")  # no version-specific URL line in messages

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import dspy_env  # noqa: E402

dspy = dspy_env.load_dspy()
import json_repair  # noqa: E402

import dspy.adapters.json_adapter as json_adapter_module  # noqa: E402
import dspy.adapters.utils as adapter_utils  # noqa: E402
from dspy.adapters.chat_adapter import FieldInfoWithName  # noqa: E402

OUT = pathlib.Path(__file__).parent / "fixtures"
ADAPTERS = {"chat": dspy.ChatAdapter, "json": dspy.JSONAdapter, "xml": dspy.XMLAdapter}

# --------------------------------------------------------------------------------------------
# Value encoding


def enc(v):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v if abs(v) <= 2**53 else {"$int": str(v)}
    if isinstance(v, float):
        if math.isnan(v):
            return {"$float": "nan"}
        if math.isinf(v):
            return {"$float": "inf" if v > 0 else "-inf"}
        return v
    if isinstance(v, list):
        return [enc(x) for x in v]
    if isinstance(v, tuple):
        return {"$tuple": [enc(x) for x in v]}
    if isinstance(v, (set, frozenset)):
        return {"$set": sorted((enc(x) for x in v), key=repr)}
    if isinstance(v, dict) and all(isinstance(k, str) for k in v):
        return {k: enc(x) for k, x in v.items()}
    return {"$repr": repr(v)}


def error_record(e):
    return {"class": type(e).__name__, "message": str(e)}


# --------------------------------------------------------------------------------------------
# Random signatures

NAMES = [
    "question", "context", "answer", "score", "items", "label", "summary", "notes", "count", "ok",
    "tags", "ratio", "mapping", "choice", "passage", "claim", "verdict", "rank", "userQuery",
    "x1", "top_k", "data", "result", "hint", "reasoning", "evidence", "topic", "name", "value",
]

WORDS = ["alpha", "beta", "gamma", "Paris", "delta", "x", "yes", "no", "42", "the end", "café", "naïve", "日本"]


class T:
    """A type: its annotation string and how to draw a value of it."""

    def __init__(self, ann, kind, **kw):
        self.ann = ann
        self.kind = kind
        self.__dict__.update(kw)


def rand_type(r, depth=0):
    roll = r.random()
    simple = [
        T("str", "str"), T("int", "int"), T("float", "float"), T("bool", "bool"),
    ]
    if depth > 0 or roll < 0.45:
        return r.choice(simple)
    choice = r.randrange(12)
    if choice == 0:
        item = r.choice(simple)
        return T(f"list[{item.ann}]", "list", item=item)
    if choice == 1:
        val = r.choice(simple)
        return T(f"dict[str, {val.ann}]", "dict", value=val)
    if choice == 2:
        vals = r.sample(["a", "b", "yes", "no", "maybe", "high", "low", "it's"], r.randint(1, 4))
        return T("Literal[" + ", ".join(repr(v) for v in vals) + "]", "literal", values=vals)
    if choice == 3:
        inner = r.choice(simple)
        return T(f"Optional[{inner.ann}]", "optional", inner=inner)
    if choice == 4:
        inner = r.choice(simple)
        return T(f"{inner.ann} | None", "optional", inner=inner)
    if choice == 5:
        return T("dict", "bare_dict")
    if choice == 6:
        return T("list", "bare_list")
    if choice == 7:
        a, b = r.choice(simple), r.choice(simple)
        return T(f"tuple[{a.ann}, {b.ann}]", "tuple", items=[a, b])
    if choice == 8:
        item = rand_type(r, depth + 1)
        return T(f"list[{item.ann}] | None", "optional", inner=T(f"list[{item.ann}]", "list", item=item))
    if choice == 9:
        return T("Union[int, str]", "union_int_str")
    if choice == 10:
        inner = T("list[int]", "list", item=T("int", "int"))
        return T("dict[str, list[int]]", "dict", value=inner)
    return T("Any", "any")


def rand_text(r):
    roll = r.random()
    if roll < 0.5:
        return " ".join(r.choice(WORDS) for _ in range(r.randint(1, 4)))
    if roll < 0.65:
        return "line one\nline two" + ("\n" if r.random() < 0.3 else "")
    if roll < 0.75:
        return r.choice(["«quoted»", "a <b> & c", "[[ ## not a header ## ]]", "{\"json\": 1}", "  padded  "])
    if roll < 0.85:
        return ""
    return r.choice(["True", "None", "3", "[1, 2]", "tab\there"])


def rand_float(r, integral_ok=True):
    if integral_ok and r.random() < 0.2:
        return float(r.randint(-3, 100))
    return r.choice([round(r.uniform(-100, 100), r.randint(1, 4)), 0.5, 1e-7, 1.5e20, 123456.789])


def rand_value(r, t, strict_floats=True):
    k = t.kind
    if k == "str":
        return rand_text(r)
    if k == "int":
        return r.choice([0, 1, -5, 42, 10**6, r.randint(-1000, 1000)])
    if k == "float":
        return rand_float(r)
    if k == "bool":
        return r.random() < 0.5
    if k == "list":
        return [rand_value(r, t.item) for _ in range(r.randint(0, 3))]
    if k == "dict":
        return {r.choice(["a", "b", "key one", "k-2", "x.y", "3d"]): rand_value(r, t.value) for _ in range(r.randint(0, 3))}
    if k == "literal":
        return r.choice(t.values)
    if k == "optional":
        return None if r.random() < 0.3 else rand_value(r, t.inner)
    if k == "bare_dict":
        return {r.choice(["a", "b", "name"]): r.choice([1, "two", [3], True, None, 2.5]) for _ in range(r.randint(0, 3))}
    if k == "bare_list":
        return [r.choice([1, "two", 2.5, False, None]) for _ in range(r.randint(0, 3))]
    if k == "tuple":
        return [rand_value(r, x) for x in t.items]
    if k == "union_int_str":
        return r.choice([7, "seven"])
    return r.choice([1, "any", [1, 2], {"k": "v"}, None, 2.5])


def rand_instructions(r, inputs, outputs):
    roll = r.random()
    if roll < 0.3:
        return None
    if roll < 0.38:
        return ""
    if roll < 0.6:
        return "Answer the question."
    options = [
        "Classify the passage.\n    Be brief.\n    Use the labels given.",
        "\n    Indented first line\n        deeper\n    back\n",
        "Tabs:\n\tone\n\t\ttwo\n    four spaces",
        "Mixed\n  \t indent\n\tline",
        "  leading spaces kept?\nsecond",
        "Trailing blank lines\n\n\n",
        "Unicode ✓ instructions\r\nwith CRLF",
        "A\n\n\tB\n\n        C",
    ]
    return r.choice(options)


def rand_signature(r):
    names = r.sample(NAMES, r.randint(2, 6))
    n_in = r.randint(1, len(names) - 1)
    inputs, outputs = names[:n_in], names[n_in:]
    fields = []
    for i, name in enumerate(names):
        typed = r.random() < 0.8
        t = rand_type(r) if typed else T("str", "str")
        fields.append({"name": name, "io": "input" if i < n_in else "output", "type": t, "typed": typed})

    def side(fs):
        return ", ".join(f"{f['name']}: {f['type'].ann}" if f["typed"] else f["name"] for f in fs)

    spec = f"{side([f for f in fields if f['io'] == 'input'])} -> {side([f for f in fields if f['io'] == 'output'])}"
    descs = {}
    for f in fields:
        if r.random() < 0.4:
            descs[f["name"]] = r.choice(
                ["The question to answer", "a list of things", "Score in [0, 1]", "multi\nline desc", "Ünïcode desc", ""]
            )
    instructions = rand_instructions(r, inputs, outputs)
    return {"spec": spec, "instructions": instructions, "descs": descs}, fields


def build_signature(sig):
    s = dspy.Signature(sig["spec"], sig["instructions"]) if sig["instructions"] is not None else dspy.Signature(sig["spec"])
    for name, desc in sig["descs"].items():
        s = s.with_updated_fields(name, desc=desc)
    return s


# --------------------------------------------------------------------------------------------
# Format cases


def rand_demo(r, fields, complete):
    demo = {}
    for f in fields:
        if complete or r.random() < 0.6:
            demo[f["name"]] = None if (not complete and r.random() < 0.15) else rand_value(r, f["type"])
    if r.random() < 0.1:
        demo["unrelated_key"] = "ignored"
    return demo


def format_case(r, adapter_name, idx):
    sig, fields = rand_signature(r)
    demos = [rand_demo(r, fields, r.random() < 0.6) for _ in range(r.choice([0, 0, 1, 2, 3]))]
    inputs = {}
    for f in fields:
        if f["io"] == "input" and r.random() < 0.92:
            inputs[f["name"]] = rand_value(r, f["type"])
            if f["type"].kind == "str" and r.random() < 0.15:
                inputs[f["name"]] = [rand_text(r) for _ in range(r.randint(0, 3))]
    case = {"id": f"{adapter_name}-format-{idx}", "signature": sig, "demos": demos, "inputs": inputs}
    try:
        messages = ADAPTERS[adapter_name]().format(build_signature(sig), demos, inputs)
        case["expected"] = {"messages": messages}
    except Exception as e:  # noqa: BLE001
        case["expected"] = {"error": error_record(e)}
    return case


# --------------------------------------------------------------------------------------------
# Parse cases

VALUE_SPELLINGS = {
    "int": ["42", "0x1A", " 7 ", "42.0", "4_2", "forty", "'3'", "1e3", "-0", "0o17", "3.5", "[1]", "12 apples", "True", "None", ""],
    "float": ["3.14", "1_000.5", "nan", ".5", "3,5", "1e-3", "'2.5'", "-inf", "seven", "[1.5]", "2", "0x10"],
    "bool": ["True", "true", "yes", "1", "maybe", "'True'", "FALSE", "no", "0", "[True]", "None"],
    "str": ["plain", "'quoted'", "[1, 2]", "None", "multi\nline", "  spaced  "],
    "list": ["[1, 2]", "(1, 2)", "1, 2", "'3,5'", "[1, 2", "```json\n[1, 2]\n```", "Here: [1, 2]", "['a', 'b']\n",
             "[\"a\", 'b',]", "[]", "", "[1, [2, 3]]", "{'a': 1}", "[True, None]", "a, b", "[1 2 3]", "not a list"],
    "dict": ["{\"a\": 1}", "{'a': 1}", "{'a': 1,}\n", "{\"a\": 1", "prose {\"a\": 1} more", "{}", "",
             "```json\n{\"a\": 2}\n```", "{a: 1}", "{\"a\": [1, 2], \"b\": {\"c\": null}}", "[1, 2]", "{'a': True, 'b': None}",
             "{\"a\": \"x\" \"b\": 2}", "{\"a\": 1} {\"a\": 2}", "{\"k\": \"unterminated}"],
    "literal": ["'a'", "Literal['a']", "A", "a ", "\"b\"", "str['yes']", "maybe", "high", "it's", "\"it's\"", "low."],
    "optional": ["None", "null", "", "5", "none", "'x'", "[1, 2]", "N/A"],
    "tuple": ["[1, 'a']", "(1, 'a')", "1, 'a'", "'3,5'", "[1]", "[1, 2, 3]", "3,5"],
    "union_int_str": ["7", "seven", "'7'", "7.0", "[7]"],
    "any": ["1", "[1, 2]", "{'a': 1}", "text", "None", "True"],
}
VALUE_SPELLINGS["bare_list"] = VALUE_SPELLINGS["list"]
VALUE_SPELLINGS["bare_dict"] = VALUE_SPELLINGS["dict"]


def spelled_value(r, t):
    k = t.kind
    if r.random() < 0.45:
        return None  # use the adapter's own rendering of a valid value
    return r.choice(VALUE_SPELLINGS.get(k, VALUE_SPELLINGS["str"]))


def chat_completion(r, fields):
    parts = []
    outs = [f for f in fields if f["io"] == "output"]
    if r.random() < 0.15:
        parts.append(r.choice(["Sure! Here you go.", "[[ ## question ## ]]\nechoed input", "Thinking..."]))
    order = outs[:]
    if r.random() < 0.1:
        r.shuffle(order)
    for f in order:
        if r.random() < 0.08:
            continue  # dropped field
        spelled = spelled_value(r, f["type"])
        if spelled is None:
            value = rand_value(r, f["type"])
            spelled = adapter_utils.format_field_value(field_info=dspy.OutputField(), value=value) if not isinstance(value, str) else value
            if isinstance(value, (dict, list)):
                spelled = json.dumps(value, ensure_ascii=False)
        header = f"[[ ## {f['name']} ## ]]"
        roll = r.random()
        if roll < 0.06:
            parts.append(f"  {header}\n{spelled}")  # indented header
        elif roll < 0.12:
            parts.append(f"{header} {spelled}")  # value on the header line
        elif roll < 0.15:
            parts.append(f"{header}\n{spelled}\n{header}\nsecond copy")
        else:
            parts.append(f"{header}\n{spelled}")
    if r.random() < 0.8:
        parts.append("[[ ## completed ## ]]")
    if r.random() < 0.05:
        parts.append("[[ ## unknown_field ## ]]\nextra")
    text = "\n\n".join(parts)
    if r.random() < 0.08:
        text = text.replace("\n", "\r\n")
    if r.random() < 0.03:
        text = r.choice(["", "   ", "no markers at all"])
    return text


def json_completion(r, fields):
    outs = [f for f in fields if f["io"] == "output"]
    obj = {}
    raw_parts = []
    for f in outs:
        if r.random() < 0.08:
            continue
        spelled = spelled_value(r, f["type"])
        if spelled is None:
            obj[f["name"]] = rand_value(r, f["type"])
            raw_parts.append(f"{json.dumps(f['name'])}: {json.dumps(obj[f['name']], ensure_ascii=False)}")
        else:
            obj[f["name"]] = spelled
            raw_parts.append(f"{json.dumps(f['name'])}: {json.dumps(spelled, ensure_ascii=False)}")
    roll = r.random()
    if roll < 0.35:
        text = json.dumps(obj, indent=2, ensure_ascii=False)
    elif roll < 0.45:
        text = "```json\n" + json.dumps(obj, ensure_ascii=False) + "\n```"
    elif roll < 0.55:
        text = "Here is my answer: " + json.dumps(obj, ensure_ascii=False)[:-1]  # prose + missing brace
    elif roll < 0.62:
        text = "{" + ", ".join(p.replace('"', "'") for p in raw_parts) + "}"  # single quotes
    elif roll < 0.68:
        text = "{" + ", ".join(raw_parts) + ",}\n"  # trailing comma
    elif roll < 0.73:
        text = "{" + ", ".join(p.replace(f'"{n}"', n, 1) for p, n in zip(raw_parts, [f["name"] for f in outs])) + "}"
    elif roll < 0.78:
        text = json.dumps(obj) + "\nHope this helps! {not json}"
    elif roll < 0.82:
        text = "[" + json.dumps(obj) + "]"
    elif roll < 0.86:
        text = r.choice(["", "no json here", "[1, 2, 3]", "null", "\"just a string\"", "{", "{}"])
    elif roll < 0.9:
        text = json.dumps({**obj, "extra_field": 1})
    elif roll < 0.94:
        text = "{" + "\n".join(raw_parts) + "}"  # missing commas
    else:
        text = json.dumps(obj, ensure_ascii=False).replace("\"", "'").replace("True", "true")
    return text


def xml_completion(r, fields, adapter, sig):
    outs = [f for f in fields if f["io"] == "output"]
    parts = []
    for f in outs:
        if r.random() < 0.08:
            continue
        spelled = spelled_value(r, f["type"])
        if spelled is None:
            value = rand_value(r, f["type"])
            info = FieldInfoWithName(name=f["name"], info=sig.output_fields[f["name"]])
            parts.append(adapter.format_field_with_value({info: value}))
        else:
            esc = spelled.replace("&", "&amp;").replace("<", "&lt;") if r.random() < 0.8 else spelled
            parts.append(f"<{f['name']}>{esc}</{f['name']}>")
    text = "\n".join(parts)
    roll = r.random()
    if roll < 0.07:
        text = text.replace("\n", "\r\n").replace("><", ">\r\n<")
    elif roll < 0.12:
        text = "Sure:\n" + text + "\nDone."
    elif roll < 0.16:
        text = text + "\n<unclosed>"
    elif roll < 0.19:
        text = text.replace("</", "</x", 1)
    elif roll < 0.22:
        text = "```xml\n" + text + "\n```"
    elif roll < 0.25:
        text = r.choice(["", "plain text", "<a>&bogus;</a>"])
    return text


def parse_case(r, adapter_name, idx):
    sig, fields = rand_signature(r)
    s = build_signature(sig)
    adapter = ADAPTERS[adapter_name]()
    if adapter_name == "chat":
        completion = chat_completion(r, fields)
    elif adapter_name == "json":
        completion = json_completion(r, fields)
    else:
        completion = xml_completion(r, fields, adapter, s)
    case = {"id": f"{adapter_name}-parse-{idx}", "signature": sig, "completion": completion}
    case["expected"] = parse_outcome(adapter, s, completion)
    if adapter_name == "chat":
        # DSPy slices an indented `[[ ## x ## ]]` line at the match end of the *stripped* line, so
        # the value keeps `]]`; dspex reads it as the unindented header. Record what DSPy gives for
        # the unindented text too, when that differs (the tests' deliberate-difference entry).
        unindented = HEADER_LINE.sub(lambda m: m.group(2), completion)
        if unindented != completion:
            alt = parse_outcome(adapter, s, unindented)
            if "error" in alt:
                alt["error"]["message"] = alt["error"]["message"].replace(
                    f"LM Response: {unindented} ", f"LM Response: {completion} "
                )
            if alt != case["expected"]:
                case["dspy_with_headers_unindented"] = alt
    return case


HEADER_LINE = re.compile(r"^([^\S\r\n]+)(\[\[ ## \w+ ## \]\])", re.MULTILINE)


def parse_outcome(adapter, s, completion):
    try:
        return {"outputs": enc(adapter.parse(s, completion))}
    except Exception as e:  # noqa: BLE001
        return {"error": error_record(e)}


# --------------------------------------------------------------------------------------------
# json_repair and literal_eval corpus

REPAIR_CORPUS = [
    "", " ", "42", "0x1A", "True", "None", "'abc'", "'abc'\n", "\"abc\"", "[1, 2", "{\"a\": 1", "{'a': 1}",
    "{'a': 1,}\n", "```json\n{\"a\": 1}\n```", "```json\n[1, 2]\n```", "```\n{\"a\": 1}\n```", "Here it is: {\"a\": 1}",
    "Here it is: {\"a\": 1", "{\"a\": 1} trailing", "{\"a\": 1} {\"b\": 2}", "{\"a\": 1} {\"a\": 2}", "{\"a\": 1}, {\"b\": 2}",
    "[1, 2] [3]", "(1, 2)", "(1)", "()", "3,5", "'3,5'", "1, 2", "{a: 1, b: 'x'}", "{\"a\": True, \"b\": None}",
    "{\"a\": true, \"b\": null, \"c\": false}", "[true, false, null]", "[True, False, None]", "{\"a\": .5}", "{\"a\": 1_000}",
    "{\"a\": -}", "{\"a\": 1e5, \"b\": -2.5E-3}", "{\"a\": \"x\" \"b\": 2}", "{\"a\" 1}", "{\"a\":}", "{\"a\": 1,,}",
    "[1,,2]", "[,1]", "{\"a\": [1, 2}", "{\"a\": {\"b\": 1}", "{\"a\": \"unterminated}", "{\"a\": \"line\nbreak\"}",
    "{\"a\": \"esc\\\"aped\"}", "{\"a\": \"\\u00e9\\n\\t\"}", "{'a': 'it\\'s'}", "{\"a\": 'mixed\"}", "// comment\n{\"a\": 1}",
    "{\"a\": 1 /* c */}", "# hash\n[1]", "{\"a\": 1} // tail", "[1, 2, 3,]", "[\"a\", 'b', c]", "[a, b]",
    "{\"text\": \"He said \"hi\" there\"}", "{\"a\": \"x\", \"b\": \"y\"", "{\"a\": NaN}", "NaN", "Infinity", "[Infinity, -Infinity]",
    "{\"nested\": [{\"a\": 1}, {\"b\": 2}]}", "[{\"a\": 1}, {\"a\": 2}]", "\"just a string\"", "null", "false", "3.0",
    "-7", "1e400", "12345678901234567890", "{\"a\": 12345678901234567890}", "“smart”", "{“a”: “b”}", "{\"a\": \"b\"}}",
    "{{\"a\": 1}}", "[[1, 2], [3, 4]]", "{\"k\": [1, 2] [3, 4]}", "{\"a\": \"b\", }", "{\"é\": \"ü\"}",
    "prefix [1, 2] suffix", "note (clarification): {\"a\": 1}", "(\"a\", \"b\")", "('x',)", "[1, 2]\n[3, 4]",
    "{\"a\": \"1\", \"a\": \"2\"}", "[{\"a\": 1, \"a\": 2}]", "{\n  \"answer\": \"Paris\",\n  \"score\": 0.9\n}",
    "{\n  \"answer\": \"Paris\",\n  \"score\": 0.9\n", "{\"a\": 'single', \"b\": \"double\"}", "{'a': \"x's\"}",
    "{\"a\": tru}", "{\"a\": nul}", "{\"a\": False, \"b\": TRUE}", "[1.5, -0.0, 1e-7]", "{\"a\": 0x1A}",
]

LITERAL_CORPUS = [
    "0x1A", "0o17", "0b101", "1_000", "True", "None", "'abc'", "'abc'\n", "\"a\\nb\"", "r'\\n'", "b'x'", "(1, 2)",
    "1, 2", "'3,5'", "3,5", "{1, 2}", "{'a': [1, (2, 3)]}", "-5", "+5", "1e3", "1.5j", "1+2j", "1+2", "[1, 2,]",
    "x", "f'x'", "()", "(1,)", "set()", "{}", "' padded '", "  42", "42  ", "\t42", "'''triple'''", "u'x'",
    "{'a': 1,}", "[True, False, None]", "...", "-0x10", "1_0.5", "07", "0", "00", "1__0", "'é'", "\"\\u00e9\"",
    "'\\x41'", "'a' 'b'", "[1, [2, [3]]]", "{'a': {'b': None}}", "inf", "-1.5e-3", "not python", "[1, 2",
]


REPAIR_EXTRA = [
    "{\"text\": \"She said \"yes\", then left\", \"n\": 1}", "{\"a\": \"x, y\", \"b\": z, w}", "{\"a\": b c d}",
    "{\"a\": unquoted, \"b\": 2}", "{\"a\": \"v1\" \"v2\"}", "{\"key\": \"value with } brace\"}",
    "{\"key\": \"value with ] bracket\"}", "[\"a\" \"b\"]", "[\"a, b\", c]", "{\"a\": \"\"\"}", "{\"a\": \"\"x\"\"}",
    "{\"\"a\"\": 1}", "{'a': 'b', 'c': 'd's'}", "{\"regex\": \"[\"a-z]\"}", "{\"code\": \"{x: 1}\"}",
    "{\"a\": \"line1\nline2\", \"b\": [1,\n2]}", "{\"path\": \"C:\\dir\\file\"}", "{\"u\": \"\\u00e9\\x41\"}",
    "{\"a\": 1, \"b\": {\"c\": [1, 2, {\"d\": \"e\"}]}", "[{\"a\": 1}, {\"a\": 2}, {\"a\": 3}", "[{\"a\": 1, \"a\": 2}, {\"b\": 1}]",
    "{\"a\": „low“ quote\"}", "{“key”: “va”lue”}", "{\"a\": `b`}", "{\"a\": ```json\n{\"b\": 1}\n```}",
    "```json\n{\"a\": 1}\n``` and ```json\n{\"a\": 2}\n```", "{\"a\": [1, 2] [3, 4]}", "{\"m\": [[1, 2], [3, 4]] [5, 6]}",
    "{\"a\": 1}}}", "{\"a\": {}}}", "{1, 2, 3}", "{\\\"a\\\": 1}", "{\"a\": -}", "{\"a\": 1.2.3}", "{\"a\": 1/2}",
    "{\"a\": 1,000}", "[1,000, 2]", "{\"a\": 12abc}", "{\"a\": True, b: False, c: Null}", "{\"a\": None}", "[None, none]",
    "{\"a\" : \"b\" , }", "{,\"a\": 1}", "{\"a\": 1 \"b\": 2}", "{\"a\": [1, 2, \"b\": 3}", "{\"a\": (1, 2)}", "[(1, 2), (3,)]",
    "{\"a\": 'it\\'s'}", "{'a': \"it's\"}", "['a', \"b\", 'c\"d']", "{\"a\": \"\\\"quoted\\\"\"}", "{\"a\": \"tab\there\"}",
    "{\"a\": \"end\\", "{\"a\": \"x\"  // comment\n, \"b\": 1}", "/* c */ [1, /* d */ 2]", "# only a comment", "{\"a\": #c\n 1}",
]


def mutated_json(r):
    """A random JSON dump with one LM-style break: cut short, a quote lost or added, a comma dropped…"""
    value = {r.choice(["answer", "score", "items", "note"]): r.choice(
        ["Paris", "it's \"quoted\"", 0.5, [1, "two", None], {"k": ["v", 2]}, True, "a, b", "x: y", "{braces}"])
        for _ in range(r.randint(1, 4))}
    text = json.dumps(value, ensure_ascii=False)
    kind = r.randrange(8)
    if kind == 0:
        return text[: r.randint(1, len(text))]
    pos = r.randrange(len(text))
    if kind == 1:
        return text[:pos] + text[pos + 1:]
    if kind == 2:
        return text[:pos] + r.choice(['"', "'", ",", "}", "]", "{", ":"]) + text[pos:]
    if kind == 3:
        return text.replace('"', "'")
    if kind == 4:
        return text.replace(", ", " ", 1)
    if kind == 5:
        return text.replace('"', "", 2)
    if kind == 6:
        return r.choice(["Answer: ", "```json\n", "Sure!\n"]) + text + r.choice(["", "\n```", " Thanks!"])
    return text.replace(": ", ": \n", 1)


def record(inputs, fn, with_message):
    """Each distinct input with fn's result, or the exception (with its message if asked)."""
    out = []
    for s in dict.fromkeys(inputs):
        try:
            out.append({"input": s, "expected": {"value": enc(fn(s))}})
        except Exception as e:  # noqa: BLE001
            out.append({"input": s, "expected": {"error": error_record(e) if with_message else {"class": type(e).__name__}}})
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--format-cases", type=int, default=110, help="format cases per adapter")
    parser.add_argument("--parse-cases", type=int, default=220, help="parse cases per adapter")
    args = parser.parse_args()

    seen_repair, seen_literal = [], []
    real_loads, real_literal_eval = json_repair.loads, ast.literal_eval

    def logged_loads(s, *a, **kw):
        seen_repair.append(s)
        return real_loads(s, *a, **kw)

    def logged_literal_eval(s):
        seen_literal.append(s)
        return real_literal_eval(s)

    json_adapter_module.json_repair.loads = logged_loads  # the same module object as adapter_utils.json_repair
    adapter_utils.ast.literal_eval = logged_literal_eval

    OUT.mkdir(exist_ok=True)
    try:
        for name in ADAPTERS:
            r = random.Random(f"{args.seed}-{name}-format")
            cases = [format_case(r, name, i) for i in range(args.format_cases)]
            write(f"{name}-format.json", cases)
            r = random.Random(f"{args.seed}-{name}-parse")
            cases = [parse_case(r, name, i) for i in range(args.parse_cases)]
            write(f"{name}-parse.json", cases)
    finally:
        json_adapter_module.json_repair.loads = real_loads
        adapter_utils.ast.literal_eval = real_literal_eval

    r = random.Random(f"{args.seed}-json-repair")
    mutated = [mutated_json(r) for _ in range(300)]
    write(
        "json-repair.json",
        {
            "json_repair_loads": record(REPAIR_CORPUS + REPAIR_EXTRA + mutated + seen_repair, real_loads, True),
            "literal_eval": record(LITERAL_CORPUS + seen_literal, real_literal_eval, False),
        },
    )


def write(name, data):
    path = OUT / name
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
    count = len(data) if isinstance(data, list) else sum(len(v) for v in data.values())
    print(f"{path}: {count} cases")


if __name__ == "__main__":
    main()
