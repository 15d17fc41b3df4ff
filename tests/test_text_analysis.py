"""Text analysis: SHOW TOKENS (run_analyzer) refused in one line where the server lacks it (Milvus
Lite, the 2.3.5 standalone), its EXPLAIN code valid pymilvus; analyzers and multi-language
analyzers in CREATE TABLE reach the schema and come back from SHOW CREATE TABLE; rankers refused
on the 2.3.5 standalone."""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pytest
from admin_helpers import fails, one, server_session
from pymilvus import DataType, MilvusClient

from milvus_kernel.engine.schema.fields import collection_info
from milvus_kernel.engine.schema.show_create import create_table_text
from milvus_kernel.language.parser import parse_cell
from milvus_kernel.results import Message

MULTI = (
    "body VARCHAR(200) MULTI ANALYZER BY lang (en = (type = 'english'), "
    "default = (tokenizer = 'standard', filter = ['lowercase']), alias = (english = 'en'))"
)
MULTI_PARAMS = {
    "by_field": "lang",
    "analyzers": {
        "en": {"type": "english"},
        "default": {"tokenizer": "standard", "filter": ["lowercase"]},
    },
    "alias": {"english": "en"},
}


def test_show_tokens_is_refused_on_lite_in_one_line(session):
    error = fails(
        session, "SHOW TOKENS FOR 'The quick brown fox' USING ANALYZER (type = 'english')"
    )
    assert "SHOW TOKENS (run_analyzer) is not supported by Milvus Lite" in error
    assert "\n" not in error.strip()


def test_show_tokens_explain_is_valid_pymilvus(session, unique_name):
    one(session, f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, body VARCHAR(100) ANALYZER "
                 "(type = 'english'), v FLOAT_VECTOR(2))")  # fmt: skip
    accepted = inspect.signature(MilvusClient.run_analyzer).parameters
    cases = {
        "USING ANALYZER (tokenizer = 'standard', filter = ['lowercase'])": {
            "analyzer_params": "{'tokenizer': 'standard', 'filter': ['lowercase']}"
        },
        f"ON {unique_name}.body": {
            "collection_name": repr(unique_name),
            "field_name": "'body'",
        },
    }
    for tail, keywords in cases.items():
        result = one(session, f"EXPLAIN SHOW TOKENS FOR 'Foxes running' {tail}")
        assert isinstance(result, Message)
        code = result.text
        assert "client.run_analyzer(" in code and "'Foxes running'" in code
        for keyword, value in {"with_detail": "True", **keywords}.items():
            assert keyword in accepted
            assert re.search(rf"{keyword}={re.escape(value)}", code), (keyword, code)


def test_show_tokens_on_a_field_without_text(session, unique_name):
    one(session, f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2))")
    error = fails(session, f"EXPLAIN SHOW TOKENS FOR 'x' ON {unique_name}.v")
    assert "needs a VARCHAR field" in error


@pytest.fixture(scope="module")
def old_server(milvus_server: Any, tmp_path_factory: pytest.TempPathFactory):
    with server_session(milvus_server, tmp_path_factory.mktemp("text")) as session:
        yield session


def test_the_2_3_standalone_refuses_in_one_line(old_server):
    name = "text_old"
    one(old_server, f"DROP TABLE IF EXISTS {name}")
    one(old_server, f"CREATE TABLE {name} (id INT64 PRIMARY KEY, at INT64, v FLOAT_VECTOR(2))")
    one(old_server, f"CREATE INDEX ON {name} (v) USING FLAT WITH (metric_type = 'L2')")
    one(old_server, f"INSERT INTO {name} VALUES (1, 5, [0.1, 0.2]), (2, 7, [0.3, 0.1])")
    tokens = fails(old_server, "SHOW TOKENS FOR 'The quick brown fox'")
    assert "SHOW TOKENS (run_analyzer) is not supported by Milvus v2.3.5" in tokens
    decay = fails(
        old_server,
        f"SEARCH {name} FOR [0.1, 0.2] RERANK DECAY(field = 'at', function = 'exp', origin = 0, "
        "scale = 5) LIMIT 2",
    )
    assert "RERANK DECAY is not supported by Milvus v2.3.5" in decay
    for error in (tokens, decay):
        assert "\n" not in error.strip()


def test_multi_analyzer_reaches_add_field_and_is_refused_on_lite(session, unique_name):
    statement = f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, lang VARCHAR(10), {MULTI})"
    (parsed,) = parse_cell(statement)
    assert parsed.columns[2].multi_analyzer_params == MULTI_PARAMS
    code = one(session, "EXPLAIN " + statement).text
    given = re.search(r"multi_analyzer_params='([^']+)'", code)  # pymilvus keeps it as JSON
    assert given and json.loads(given[1]) == MULTI_PARAMS and "enable_analyzer=True" in code
    error = fails(session, statement)  # Lite 3.2.2 would create the field without them
    assert "MULTI ANALYZER (body; Lite would drop it) is not supported by Milvus Lite" in error
    assert "\n" not in error.strip()


def test_show_create_table_reruns_a_multi_analyzer():
    """SHOW CREATE TABLE of a collection as a Milvus 2.6 server describes it (the analyzer
    parameters as JSON text) is a CREATE TABLE that parses back to the same parameters."""
    raw = {
        "fields": [
            {"name": "id", "type": DataType.INT64, "params": {}, "is_primary": True},
            {"name": "lang", "type": DataType.VARCHAR, "params": {"max_length": 10}},
            {
                "name": "body",
                "type": DataType.VARCHAR,
                "params": {
                    "max_length": 200,
                    "enable_analyzer": "true",
                    "multi_analyzer_params": json.dumps(MULTI_PARAMS),
                },
            },
            {"name": "v", "type": DataType.FLOAT_VECTOR, "params": {"dim": 2}},
        ]
    }
    text = create_table_text("docs", collection_info("docs", raw), raw)
    assert "MULTI ANALYZER BY lang (" in text
    (statement,) = parse_cell(text)
    body = next(c for c in statement.columns if c.name == "body")
    assert body.multi_analyzer_params == MULTI_PARAMS and body.analyzer


def test_random_sample_is_refused_on_lite_in_one_line(session, unique_name):
    one(session, f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, v FLOAT_VECTOR(2))")
    one(session, f"INSERT INTO {unique_name} VALUES (1, [0.1, 0.2]), (2, [0.2, 0.1])")
    for statement in (
        f"SELECT * FROM {unique_name} WHERE RANDOM_SAMPLE(0.5)",
        f"SELECT COUNT(*) FROM {unique_name} WHERE id > 0 AND RANDOM_SAMPLE(0.5)",
    ):
        error = fails(session, statement)
        assert "RANDOM_SAMPLE is not supported by Milvus Lite" in error
        assert "\n" not in error.strip()


MINHASH = (
    "sig BINARY_VECTOR(512) GENERATED ALWAYS AS MINHASH(body) "
    "WITH (num_hashes = 16, shingle_size = 3, token_level = 'word')"
)
MINHASH_PARAMS = {"num_hashes": 16, "shingle_size": 3, "token_level": "word"}


def test_minhash_column_is_a_minhash_function(session, unique_name):
    statement = f"CREATE TABLE {unique_name} (id INT64 PRIMARY KEY, body VARCHAR(200), {MINHASH})"
    code = one(session, "EXPLAIN " + statement).text
    assert "FunctionType.MINHASH" in code
    schema_only = "\n".join(line for line in code.splitlines() if "create_collection" not in line)
    namespace: dict = {}
    exec(compile(schema_only, "<explain>", "exec"), namespace)
    (function,) = namespace["schema"].functions
    assert function.input_field_names == ["body"] and function.output_field_names == ["sig"]
    assert function.params == MINHASH_PARAMS
    error = fails(session, statement)  # Lite has no binary vectors
    assert "BINARY_VECTOR type is not supported by Milvus Lite" in error


def test_minhash_needs_a_binary_vector(session):
    error = fails(session, "CREATE TABLE x (id INT64 PRIMARY KEY, b VARCHAR(9), "
                  "s FLOAT_VECTOR(4) GENERATED ALWAYS AS MINHASH(b))")  # fmt: skip
    assert "a MINHASH column must be BINARY_VECTOR" in error


def test_show_create_table_reruns_a_minhash_column():
    from pymilvus import FunctionType

    raw = {
        "fields": [
            {"name": "id", "type": DataType.INT64, "params": {}, "is_primary": True},
            {"name": "body", "type": DataType.VARCHAR, "params": {"max_length": 200}},
            {"name": "sig", "type": DataType.BINARY_VECTOR, "params": {"dim": 512}},
        ],
        "functions": [
            {
                "name": "sig_minhash",
                "type": FunctionType.MINHASH,
                "input_field_names": ["body"],
                "output_field_names": ["sig"],
                "params": MINHASH_PARAMS,
            }
        ],
    }
    text = create_table_text("docs", collection_info("docs", raw), raw)
    (statement,) = parse_cell(text)
    sig = next(c for c in statement.columns if c.name == "sig")
    assert sig.minhash == ("body", MINHASH_PARAMS), text
