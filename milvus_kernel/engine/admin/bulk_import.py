"""Server-side bulk import: IMPORT INTO t [PARTITION p] FROM 'path'[, ...] [WITH (...)],
SHOW IMPORT JOBS [ON t], SHOW IMPORT JOB 'id'.

The files are on the server's object storage (MinIO / S3 paths relative to its bucket); the
server reads them, not the kernel (for the kernel's own reading of local files: INSERT INTO t
FROM 'file'). These are pymilvus.bulk_writer's `bulk_import`, `get_import_progress` and
`list_import_jobs`: RESTful v2 calls (`/v2/vectordb/jobs/import/...`) to the connection's URI with
its token, sent here by `RestJobs` with the same requests and JSON bodies (pymilvus.bulk_writer
itself needs the `bulk_writer` extra: minio, azure). EXPLAIN prints the pymilvus.bulk_writer code.
WITH takes `url` (another endpoint, such as Zilliz Cloud's), `cluster_id`, and any import option
of the server (`timeout`, `skip_disk_quota_check`, ...), sent as strings. Milvus Lite has no bulk
import; a server without the v2 endpoint (2.3) says so in one line, naming its version.
"""

from __future__ import annotations

from typing import Any

from milvus_kernel.engine.admin.server_calls import (
    words,
)
from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import refuse_on_lite, server_name
from milvus_kernel.engine.connection.targets import Target
from milvus_kernel.engine.context import using_catalog
from milvus_kernel.engine.milvus_errors import scrub
from milvus_kernel.errors import ExecutionError, NotSupported
from milvus_kernel.language.statements import ImportInto, ShowImportJob, ShowImportJobs
from milvus_kernel.results import Column, Message, Result, Table

WHAT = "IMPORT INTO (server-side bulk import)"
REQUEST_TIMEOUT = 20.0
_JOB_COLUMNS = ("jobId", "collectionName", "state", "progress", "importedRows", "totalRows")
_KERNEL_OPTIONS = ("url", "cluster_id")
#: Fields pymilvus.bulk_writer sends empty when not given (cloud projects, stages, volumes).
_CLOUD = {"projectId": "", "regionId": ""}
_UNUSED_SOURCES = {
    "objectUrl": "",
    "objectUrls": None,
    "accessKey": "",
    "secretKey": "",
    "token": "",
    "volumeName": "",
    "dataPaths": None,
}


class NoEndpoint(ExecutionError):
    """The server has no RESTful v2 import endpoint (HTTP 404)."""


class RestJobs:
    """pymilvus.bulk_writer's three import functions, as HTTP calls (same URLs and bodies)."""

    def __init__(self, target: Target) -> None:
        self.target = target

    def _api_key(self) -> str:
        target = self.target
        if target.token:
            return target.token
        return f"{target.user}:{target.password or ''}" if target.user else ""

    def _post(self, url: str, path: str, params: dict[str, Any], db_name: str) -> dict[str, Any]:
        import requests

        tls = dict(self.target.tls)
        verify: bool | str = tls.get("ca_pem_path") or tls.get("server_pem_path") or True
        cert = None
        if tls.get("client_pem_path"):
            cert = (tls["client_pem_path"], tls.get("client_key_path", ""))
        headers = {"Accept": "application/json", "Authorization": f"Bearer {self._api_key()}"}
        if db_name:
            headers["DB-Name"] = db_name
        endpoint = url.rstrip("/") + path
        secrets = self.target.secrets
        try:
            response = requests.post(
                endpoint,
                headers=headers,
                json=params,
                timeout=REQUEST_TIMEOUT,
                verify=verify,
                cert=cert,
            )
        except requests.RequestException as error:
            raise ExecutionError(f"cannot reach {endpoint}: {scrub(str(error), secrets)}") from None
        if response.status_code == 404:
            raise NoEndpoint(f"{endpoint} answered 404")
        if response.status_code != 200:
            raise ExecutionError(f"{endpoint} answered HTTP {response.status_code}")
        body = response.json()
        if body.get("code", 0) != 0:
            reason = scrub(str(body.get("message", "")), secrets)
            raise ExecutionError(f"the server refused the import request: {reason}")
        return body.get("data") or {}

    def bulk_import(self, url: str, collection_name: str, **kwargs: Any) -> dict[str, Any]:
        params = {
            "collectionName": collection_name,
            "dbName": kwargs.get("db_name", ""),
            "partitionName": kwargs.get("partition_name", ""),
            "files": kwargs.get("files"),
            "clusterId": kwargs.get("cluster_id", ""),
            **_CLOUD,
            **_UNUSED_SOURCES,
        }
        if "options" in kwargs:
            params["options"] = kwargs["options"]
        return self._post(url, "/v2/vectordb/jobs/import/create", params, params["dbName"])

    def get_import_progress(self, url: str, job_id: str, **kwargs: Any) -> dict[str, Any]:
        params = {"jobId": job_id, "clusterId": kwargs.get("cluster_id", ""), **_CLOUD}
        return self._post(
            url, "/v2/vectordb/jobs/import/describe", params, kwargs.get("db_name", "")
        )

    def list_import_jobs(self, url: str, **kwargs: Any) -> dict[str, Any]:
        params = {
            "collectionName": kwargs.get("collection_name", ""),
            "dbName": kwargs.get("db_name", ""),
            "clusterId": kwargs.get("cluster_id", ""),
            **_CLOUD,
            "pageSize": kwargs.get("page_size", 10),
            "currentPage": kwargs.get("current_page", 1),
        }
        return self._post(url, "/v2/vectordb/jobs/import/list", params, params["dbName"])


def _jobs(catalog: Catalog, what: str) -> Any:
    """The import calls: recorded for EXPLAIN (as `bulk_writer.<function>`), else sent."""
    if catalog.explaining:
        return catalog.client.bulk_writer()  # the recorder of pymilvus.bulk_writer calls
    refuse_on_lite(catalog, what)
    return RestJobs(catalog.connection.target)


def _common(catalog: Catalog, options: dict[str, Any]) -> dict[str, Any]:
    """url, api_key (masked under EXPLAIN), db_name and cluster_id of every call."""
    target = catalog.connection.target
    kwargs: dict[str, Any] = {"url": str(options.get("url") or target.uri)}
    if catalog.explaining and (target.token or target.user):
        kwargs["api_key"] = "***"
    if target.database:
        kwargs["db_name"] = target.database
    if options.get("cluster_id"):
        kwargs["cluster_id"] = str(options["cluster_id"])
    return kwargs


def _send(catalog: Catalog, call: Any, what: str = WHAT) -> Any:
    try:
        return call()
    except NoEndpoint:
        raise NotSupported(
            f"{what} is not supported by {server_name(catalog)} (no RESTful v2 import endpoint)"
        ) from None


def import_into(catalog: Catalog, statement: ImportInto) -> Result:
    table = statement.table
    catalog.require(table)
    if not statement.files:
        raise ExecutionError("IMPORT INTO needs at least one file: FROM 'bucket/path/part.parquet'")
    options = {k.lower(): v for k, v in statement.options.items()}
    kwargs = _common(catalog, options)
    kwargs["collection_name"] = table
    if statement.partition:
        kwargs["partition_name"] = statement.partition
    kwargs["files"] = [[path] for path in statement.files]
    server_options = {
        k: str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in options.items()
        if k not in _KERNEL_OPTIONS
    }
    if server_options:
        kwargs["options"] = server_options
    jobs = _jobs(catalog, WHAT)
    data = _send(catalog, lambda: jobs.bulk_import(**kwargs)) or {}
    job = data.get("jobId", "") if isinstance(data, dict) else ""
    files = len(statement.files)
    return Message(
        f"import job {job or '(id)'} started: {files} file{'s' if files > 1 else ''} into {table}"
        f" (SHOW IMPORT JOB '{job or 'id'}' follows it)"
    )


def show_import_jobs(catalog: Catalog, statement: ShowImportJobs) -> Result:
    kwargs = _common(catalog, {})
    if statement.table:
        catalog.require(statement.table)
        kwargs["collection_name"] = statement.table
    kwargs["page_size"] = 100
    jobs = _jobs(catalog, words(statement))
    data = _send(catalog, lambda: jobs.list_import_jobs(**kwargs), words(statement)) or {}
    records = data.get("records", []) if isinstance(data, dict) else []
    rows = [tuple(record.get(c) for c in _JOB_COLUMNS[:4]) for record in records]
    return Table(
        columns=tuple(Column(c, "any") for c in _JOB_COLUMNS[:4]),
        rows=rows,
        title="import jobs" + (f" of {statement.table}" if statement.table else ""),
    )


def show_import_job(catalog: Catalog, statement: ShowImportJob) -> Result:
    kwargs = _common(catalog, {})
    kwargs["job_id"] = statement.job_id
    jobs = _jobs(catalog, words(statement))
    data = _send(catalog, lambda: jobs.get_import_progress(**kwargs), words(statement)) or {}
    data = data if isinstance(data, dict) else {}
    rows = [(key, data[key]) for key in (*_JOB_COLUMNS, "reason", "fileSize") if key in data]
    for detail in data.get("details") or ():
        rows.append((f"file {detail.get('fileName', '')}", detail.get("state", "")))
    return Table(
        columns=(Column("property", "str"), Column("value", "any")),
        rows=rows,
        title=f"import job {statement.job_id}",
    )


HANDLERS = using_catalog(
    {ImportInto: import_into, ShowImportJobs: show_import_jobs, ShowImportJob: show_import_job}
)
