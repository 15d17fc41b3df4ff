"""CREATE EXTERNAL TABLE (Milvus 3.0 external collections, pymilvus's
external_collection_example.py): EXPLAIN's code builds the very schema the example builds (compared
with pymilvus's own `to_dict()`), WITH options split into create_collection's and the
external_spec JSON; Milvus Lite and the 2.3.5 standalone refuse it in one line naming the server
before anything is created (Lite would otherwise make a plain collection that forgot its source);
bad forms fail at their position; DESCRIBE and SHOW CREATE TABLE of such a collection (its
describe_collection answer made by pymilvus from the schema's own protobuf) show the mapping and
the source, and SHOW CREATE's text parses back to the same statement."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from admin_helpers import fails, rows, run, server_session, text
from explained_code import checked_calls
from kernel_harness import execute, plain_texts, running_kernel
from pymilvus import DataType, MilvusClient
from pymilvus.client.abstract import CollectionSchema as DescribedSchema
from pymilvus.client.prepare import Prepare
from pymilvus.grpc_gen import milvus_pb2

from milvus_kernel.engine.schema.definition import describe_table
from milvus_kernel.engine.schema.fields import collection_info
from milvus_kernel.engine.schema.show_create import create_table_text
from milvus_kernel.engine.session import Session
from milvus_kernel.errors import ExecutionError, MilvusSyntaxError
from milvus_kernel.language import statements as s
from milvus_kernel.language.parser import parse_cell

DIM = 128
PRODUCTS = """CREATE EXTERNAL TABLE products (
  product_id   INT64 EXTERNAL 'id',
  product_name VARCHAR(256) EXTERNAL 'name',
  embedding    FLOAT_VECTOR(128) EXTERNAL 'vector'
) FROM 'external-demo/' WITH (format = 'parquet')"""


def example_schema() -> Any:
    """The schema of external_collection_example.py, as it builds it."""
    schema = MilvusClient.create_schema(
        external_source="external-demo/", external_spec='{"format": "parquet"}'
    )
    schema.add_field(field_name="product_id", datatype=DataType.INT64, external_field="id")
    schema.add_field(
        field_name="product_name",
        datatype=DataType.VARCHAR,
        max_length=256,
        external_field="name",
    )
    schema.add_field(
        field_name="embedding", datatype=DataType.FLOAT_VECTOR, dim=DIM, external_field="vector"
    )
    return schema


def explained(session: Session, cell: str) -> tuple[Any, dict[str, Any]]:
    """The schema and the other keywords of the create_collection EXPLAIN's code makes."""
    [(method, args, kwargs)] = checked_calls(text(session, f"EXPLAIN {cell}"))
    assert method == "create_collection" and args == ("products",)
    kwargs = dict(kwargs)
    return kwargs.pop("schema"), kwargs


def test_explain_builds_the_examples_schema(session: Session):
    schema, rest = explained(session, PRODUCTS)
    assert schema.to_dict() == example_schema().to_dict()
    assert schema.external_source == "external-demo/"
    assert [f.external_field for f in schema.fields] == ["id", "name", "vector"]
    assert not any(f.is_primary or f.nullable for f in schema.fields)
    assert rest == {}
    code = text(session, f"EXPLAIN {PRODUCTS}")
    assert "external_source='external-demo/'" in code and "external_field='vector'" in code


def test_with_options_split_into_table_options_and_the_spec(session: Session):
    cell = PRODUCTS.replace(
        "WITH (format = 'parquet')",
        "WITH (format = 'iceberg-table', consistency_level = 'Bounded', "
        'extfs = {"region": \'eu\', "use_ssl": true}, snapshot_id = 42)',
    )
    schema, rest = explained(session, cell)
    assert rest == {"consistency_level": "Bounded"}
    assert json.loads(schema.external_spec) == {
        "format": "iceberg-table",
        "extfs": {"region": "eu", "use_ssl": True},
        "snapshot_id": 42,
    }
    whole = PRODUCTS.replace("(format = 'parquet')", '(spec = \'{"format":"vortex"}\')')
    assert explained(session, whole)[0].external_spec == '{"format":"vortex"}'  # as written
    null = PRODUCTS.replace("VARCHAR(256) EXTERNAL", "VARCHAR(256) NULL EXTERNAL")
    assert [f.nullable for f in explained(session, null)[0].fields] == [False, True, False]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("dynamic_field = true", "has no dynamic field"),
        ("spec = '{}', format = 'parquet'", "is the whole external spec"),
        ("spec = 'parquet'", "spec must be a JSON object"),
    ],
)
def test_bad_options_say_why(session: Session, options: str, message: str):
    cell = PRODUCTS.replace("(format = 'parquet')", f"({options})")
    for attempt in (cell, f"EXPLAIN {cell}"):
        report = fails(session, attempt)
        assert message in report and report.count("\n") == 0, report


def test_lite_refuses_in_one_line_and_creates_nothing(session: Session):
    report = fails(session, PRODUCTS)
    assert report.count("\n") == 0, report
    assert "CREATE EXTERNAL TABLE is not supported by Milvus Lite" in report
    assert ("products",) not in rows(session, "SHOW TABLES")


def test_in_a_real_kernel_explain_prints_the_code_and_the_statement_is_refused(tmp_path):
    with running_kernel(tmp_path) as (_km, kc):
        reply, outputs = execute(kc, f"EXPLAIN {PRODUCTS}")
        assert reply["status"] == "ok", reply.get("evalue")
        code = plain_texts(outputs)[-1]  # after the connection notice
        [(method, _args, kwargs)] = checked_calls(code)
        assert method == "create_collection"
        assert kwargs["schema"].to_dict() == example_schema().to_dict()
        reply, _ = execute(kc, f"{PRODUCTS};\nSHOW TABLES")
        assert reply["status"] == "error" and reply["evalue"].count("\n") == 0, reply["evalue"]
        assert "CREATE EXTERNAL TABLE is not supported by Milvus Lite" in reply["evalue"]
        reply, outputs = execute(kc, "SHOW TABLES")
        assert "products" not in "".join(plain_texts(outputs))


def assert_keyed_schema_forgets_the_source(client: MilvusClient) -> None:
    """The example's schema given a key: the server makes an ordinary collection, the source
    and every field's mapping dropped."""
    keyed = example_schema()
    keyed.fields[0].is_primary = True
    client.create_collection("ext_raw", schema=keyed)
    try:
        described = client.describe_collection("ext_raw")
        assert not described.get("external_source")
        assert not any(f.get("external_field") for f in described["fields"])
    finally:
        client.drop_collection("ext_raw")


def test_lite_would_otherwise_make_a_plain_collection_that_forgot_its_source(session: Session):
    """Why the refusal: raw pymilvus on Lite 3.2.2 refuses the example's keyless schema, and
    given a key makes an ordinary collection with no source and no mapping."""
    client = session.catalog().client
    with pytest.raises(Exception, match="primary key"):
        client.create_collection("ext_raw", schema=example_schema())
    assert_keyed_schema_forgets_the_source(client)


BAD_FORMS = [
    # (cell, line:column, fragment of the message)
    ("CREATE EXTERNAL TABLE p (id INT64 EXTERNAL 'id')", "1:23", "needs FROM 'source'"),
    ("CREATE TABLE p (id INT64 PRIMARY KEY EXTERNAL 'id', v VECTOR(2))", "1:17", "EXTERNAL TABLE"),
    ("CREATE EXTERNAL TABLE p (\n  v VECTOR(2)\n) FROM 'x/'", "2:3", "needs EXTERNAL 'column'"),
    (
        "CREATE EXTERNAL TABLE p (id INT64 PRIMARY KEY EXTERNAL 'i') FROM 'x/'",
        "1:26",
        "PRIMARY KEY",
    ),
    ("CREATE EXTERNAL TABLE p (id INT64 AUTO_ID EXTERNAL 'i') FROM 'x/'", "1:26", "AUTO_ID"),
    ("CREATE EXTERNAL TABLE p (k INT64 PARTITION KEY EXTERNAL 'k') FROM 'x/'", "1:26", "PARTITION"),
    (
        "CREATE EXTERNAL TABLE p (t VARCHAR(9) EXTERNAL 't', "
        "s SPARSE_VECTOR GENERATED ALWAYS AS BM25(t) EXTERNAL 's') FROM 'x/'",
        "1:53",
        "GENERATED column",
    ),
    ("CREATE EXTERNAL TABLE p FROM 'x/'", "1:25", "FROM"),
]


@pytest.mark.parametrize(("cell", "where", "message"), BAD_FORMS)
def test_bad_forms_fail_at_their_position(cell: str, where: str, message: str):
    with pytest.raises(MilvusSyntaxError) as raised:
        parse_cell(cell)
    error = raised.value
    assert f"{error.line}:{error.column}" == where, error.render()
    assert message in error.render()


def described(schema: Any, name: str = "products") -> dict[str, Any]:
    """describe_collection's dict for `schema`, made as pymilvus makes it from a server's
    answer: the schema's own protobuf in a DescribeCollectionResponse."""
    proto = Prepare.get_schema_from_collection_schema(name, schema)
    response = milvus_pb2.DescribeCollectionResponse(
        schema=proto, collection_name=name, consistency_level=0, shards_num=1
    )
    return DescribedSchema(raw=response).dict()


def test_a_keyless_collection_fails_a_statement_needing_a_key_in_one_line():
    """An external collection as pymilvus describes it has no primary key: a read that needs
    one says so (no StopIteration out of the engine)."""
    info = collection_info("products", described(example_schema()))
    with pytest.raises(ExecutionError, match="collection 'products' has no primary key field"):
        info.primary  # noqa: B018 - the property raises


def test_describe_shows_the_mapping_and_the_source():
    raw = described(example_schema())
    table = describe_table(collection_info("products", raw))
    names = [c.name for c in table.columns]
    extra = {row[0]: row[names.index("extra")] for row in table.rows}
    assert extra == {
        "product_id": "EXTERNAL 'id'",
        "product_name": "EXTERNAL 'name'",
        "embedding": "EXTERNAL 'vector'",
    }
    assert """external source 'external-demo/' {"format": "parquet"}""" in (table.note or "")


@pytest.mark.parametrize(
    "cell",
    [
        PRODUCTS,
        PRODUCTS.replace("VARCHAR(256) EXTERNAL", "VARCHAR(256) NULL COMMENT 'it''s' EXTERNAL"),
        PRODUCTS.replace("(format = 'parquet')", '(spec = \'{"format":"lance-table"}\')'),
        PRODUCTS.replace("(format = 'parquet')", "(format = 'parquet', extfs = {\"k\": [1, 2]})"),
    ],
)
def test_show_create_parses_back_to_the_same_statement(session: Session, cell: str):
    schema, _ = explained(session, cell)
    written = create_table_text("products", collection_info("products", described(schema)), {})
    assert written.startswith("CREATE EXTERNAL TABLE products (")
    [again] = parse_cell(written)
    [original] = parse_cell(cell)
    assert isinstance(again, s.CreateTable) and again.external_source == "external-demo/"
    assert again.columns == original.columns
    table_options = {"consistency_level": "Strong", "shards": 1}  # as Milvus reports them
    assert again.options == {**original.options, **table_options}
    assert explained(session, written)[0].to_dict() == schema.to_dict()


@pytest.fixture(scope="module")
def server(milvus_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    with server_session(milvus_server, tmp_path_factory.mktemp("external")) as session:
        run(session, "DROP TABLE IF EXISTS products")
        yield session


def test_the_2_3_standalone_refuses_in_one_line_and_creates_nothing(server: Session):
    version = str(server.catalog().client.get_server_version())
    report = fails(server, PRODUCTS)
    assert report.count("\n") == 0, report
    assert f"CREATE EXTERNAL TABLE is not supported by Milvus {version}" in report, report
    assert ("products",) not in rows(server, "SHOW TABLES")
    schema, _ = explained(server, PRODUCTS)  # EXPLAIN: the code, whatever the server
    assert schema.to_dict() == example_schema().to_dict()


def test_the_standalone_would_otherwise_ignore_the_source(server: Session):
    """Why the refusal there too: raw pymilvus on 2.3.5 takes the keyed schema and makes an
    ordinary collection, the source and the mapping dropped."""
    client = server.catalog().client
    assert_keyed_schema_forgets_the_source(client)


def test_describe_and_show_create_mask_the_files_credentials():
    """An external spec holds the object store's credentials (extfs): what the server describes
    is shown with their values masked, in DESCRIBE and in SHOW CREATE TABLE."""
    schema = example_schema()
    secret = "sk-" + "9f3c2a7e1b"
    schema.external_spec = json.dumps(
        {"format": "parquet", "extfs": {"access_key_id": "AKID", "secret_access_key": secret}}
    )
    info = collection_info("products", described(schema))
    note = describe_table(info).note or ""
    written = create_table_text("products", info, {})
    assert secret not in note and secret not in written
    assert '"secret_access_key": "***"' in note and '"access_key_id": "AKID"' in note, note
    assert "\"secret_access_key\": '***'" in written, written
