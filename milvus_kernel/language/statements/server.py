"""Statements of a Milvus server's own features: privilege groups, resource groups and replicas,
server-side bulk import, snapshots, external collections, segments, compactions, server version.

Each runs on a Milvus server; Milvus Lite (and servers older than the feature) say so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from milvus_kernel.language.statements.base import Statement, Value

# ---- privilege groups ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatePrivilegeGroup(Statement):
    name: str


@dataclass(frozen=True)
class DropPrivilegeGroup(Statement):
    name: str


@dataclass(frozen=True)
class ShowPrivilegeGroups(Statement):
    pass


@dataclass(frozen=True)
class AlterPrivilegeGroup(Statement):
    """ALTER PRIVILEGE GROUP g ADD | DROP PRIVILEGES (a, b)."""

    name: str
    add: bool
    privileges: tuple[str, ...]


# ---- resource groups and replicas ---------------------------------------------------------------


@dataclass(frozen=True)
class CreateResourceGroup(Statement):
    name: str
    options: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class DropResourceGroup(Statement):
    name: str


@dataclass(frozen=True)
class ShowResourceGroups(Statement):
    pass


@dataclass(frozen=True)
class DescribeResourceGroup(Statement):
    name: str


@dataclass(frozen=True)
class AlterResourceGroup(Statement):
    """ALTER RESOURCE GROUP rg SET (requests = 1, limits = 2, transfer_from = ('rg2'), ...)."""

    name: str
    options: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class TransferReplica(Statement):
    """TRANSFER [n] REPLICA[S] OF t FROM rg1 TO rg2."""

    count: int
    table: str
    source: str
    target: str


@dataclass(frozen=True)
class LoadTableWith(Statement):
    """LOAD t WITH (replicas = 2, resource_groups = ('rg'), refresh = true, fields = (a, b))."""

    name: str
    options: tuple[tuple[str, tuple[Value, ...]], ...]


@dataclass(frozen=True)
class ShowReplicas(Statement):
    table: str


# ---- server-side bulk import --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportInto(Statement):
    """IMPORT INTO t [PARTITION p] FROM 'path'[, 'path' ...] [WITH (...)]: files on the server's
    object storage, imported by the server (not by the kernel)."""

    table: str
    files: tuple[str, ...]
    partition: str | None = None
    options: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class ShowImportJobs(Statement):
    table: str | None = None


@dataclass(frozen=True)
class ShowImportJob(Statement):
    job_id: str


# ---- snapshots and external collections ---------------------------------------------------------


@dataclass(frozen=True)
class CreateSnapshot(Statement):
    name: str
    table: str
    comment: str = ""


@dataclass(frozen=True)
class DropSnapshot(Statement):
    name: str
    table: str


@dataclass(frozen=True)
class ShowSnapshots(Statement):
    table: str | None = None


@dataclass(frozen=True)
class DescribeSnapshot(Statement):
    name: str
    table: str


@dataclass(frozen=True)
class RestoreSnapshot(Statement):
    """RESTORE SNAPSHOT s ON t TO t2: a new collection t2 from the snapshot (a server job)."""

    name: str
    table: str
    new_table: str


@dataclass(frozen=True)
class ShowRestoreJobs(Statement):
    table: str | None = None


@dataclass(frozen=True)
class RefreshExternalTable(Statement):
    """REFRESH EXTERNAL TABLE t [FROM 'source'] [WITH (spec = '...')]."""

    table: str
    source: str = ""
    options: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class ShowRefreshJobs(Statement):
    table: str | None = None


# ---- what the server holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShowServerVersion(Statement):
    pass


@dataclass(frozen=True)
class ShowSegments(Statement):
    table: str
    loaded: bool = False


@dataclass(frozen=True)
class ShowCompaction(Statement):
    job_id: int


@dataclass(frozen=True)
class ShowCompactions(Statement):
    table: str


@dataclass(frozen=True)
class FlushAll(Statement):
    pass


@dataclass(frozen=True)
class CreateFileResource(Statement):
    """CREATE FILE RESOURCE name FROM 'path': a file on the server's object storage that
    analyzers refer to by name (dictionaries, stop words)."""

    name: str
    path: str


@dataclass(frozen=True)
class DropFileResource(Statement):
    name: str


@dataclass(frozen=True)
class ShowFileResources(Statement):
    pass


@dataclass(frozen=True)
class PinSnapshot(Statement):
    """PIN SNAPSHOT s ON t [FOR n SECONDS]: keep its data from garbage collection (a backup)."""

    name: str
    table: str
    seconds: int = 0


@dataclass(frozen=True)
class UnpinSnapshot(Statement):
    pin_id: int


@dataclass(frozen=True)
class ShowReplication(Statement):
    pass


@dataclass(frozen=True)
class ShowReplicationInfo(Statement):
    """SHOW REPLICATION OF 'source cluster' CHANNEL 'pchannel': the replication checkpoint."""

    cluster: str
    channel: str


@dataclass(frozen=True)
class OptimizeTable(Statement):
    """OPTIMIZE TABLE t [WITH (target_size = '1GB')]: merge segments, rebuild indexes, reload
    (Milvus 2.6 preview)."""

    table: str
    options: dict[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class CommentOn(Statement):
    """ALTER ROLE r COMMENT '...' | ALTER USER u COMMENT '...': a role's or user's description."""

    kind: str  # "role" or "user"
    name: str
    comment: str
