"""Rules of the server-feature statements (privilege and resource groups, replicas, bulk import,
snapshots, external collections, segments, compactions) → `statements.server`."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from milvus_kernel.language import statements as s
from milvus_kernel.language.clauses import Clause, SemanticError


def _options(clause: Clause | None) -> dict[str, Any]:
    return dict(clause.value) if clause is not None else {}


def _table(name: Token | None) -> str | None:
    return str(name) if name is not None else None


@v_args(inline=True)
class ServerRules(Transformer):
    """Server-feature rules → statements of `statements.server`."""

    # ---- privilege groups ----------------------------------------------------------------
    def create_privilege_group(self, name: Token) -> s.CreatePrivilegeGroup:
        return s.CreatePrivilegeGroup(str(name))

    def drop_privilege_group(self, name: Token) -> s.DropPrivilegeGroup:
        return s.DropPrivilegeGroup(str(name))

    def show_privilege_groups(self) -> s.ShowPrivilegeGroups:
        return s.ShowPrivilegeGroups()

    def add_change(self) -> bool:
        return True

    def drop_change(self) -> bool:
        return False

    def alter_privilege_group(
        self, name: Token, add: bool, *privileges: Token
    ) -> s.AlterPrivilegeGroup:
        return s.AlterPrivilegeGroup(str(name), add, tuple(str(p) for p in privileges))

    # ---- resource groups and replicas ----------------------------------------------------
    def create_resource_group(self, name: Token, options: Clause | None) -> s.CreateResourceGroup:
        return s.CreateResourceGroup(str(name), _options(options))

    def drop_resource_group(self, name: Token) -> s.DropResourceGroup:
        return s.DropResourceGroup(str(name))

    def show_resource_groups(self) -> s.ShowResourceGroups:
        return s.ShowResourceGroups()

    def describe_resource_group(self, name: Token) -> s.DescribeResourceGroup:
        return s.DescribeResourceGroup(str(name))

    def alter_resource_group(self, name: Token, options: dict[str, Any]) -> s.AlterResourceGroup:
        return s.AlterResourceGroup(str(name), dict(options))

    def transfer_replica(
        self, count: Token | None, table: Token, source: Token, target: Token
    ) -> s.TransferReplica:
        number = int(count) if count is not None else 1
        if number < 1:
            raise SemanticError("TRANSFER moves at least 1 replica", count)
        return s.TransferReplica(number, str(table), str(source), str(target))

    def load_table_with(self, name: Token, sweep: Clause) -> s.LoadTableWith:
        return s.LoadTableWith(str(name), tuple(sweep.value))

    def show_replicas(self, table: Token) -> s.ShowReplicas:
        return s.ShowReplicas(str(table))

    # ---- server-side bulk import ---------------------------------------------------------
    def import_into(self, table: Token, partition: Any, *rest: Any) -> s.ImportInto:
        options = next((item for item in rest if isinstance(item, Clause)), None)
        files = tuple(str(f) for f in rest if isinstance(f, str))
        chosen = partition.value if isinstance(partition, Clause) else partition
        return s.ImportInto(str(table), files, _table(chosen), _options(options))

    def show_import_jobs(self, table: Token | None) -> s.ShowImportJobs:
        return s.ShowImportJobs(_table(table))

    def show_import_job(self, job: Any) -> s.ShowImportJob:
        return s.ShowImportJob(str(job))

    # ---- snapshots and external collections ----------------------------------------------
    def create_snapshot(self, name: Token, table: Token, comment: str | None) -> s.CreateSnapshot:
        return s.CreateSnapshot(str(name), str(table), comment or "")

    def drop_snapshot(self, name: Token, table: Token) -> s.DropSnapshot:
        return s.DropSnapshot(str(name), str(table))

    def show_snapshots(self, table: Token | None) -> s.ShowSnapshots:
        return s.ShowSnapshots(_table(table))

    def describe_snapshot(self, name: Token, table: Token) -> s.DescribeSnapshot:
        return s.DescribeSnapshot(str(name), str(table))

    def restore_snapshot(self, name: Token, table: Token, new: Token) -> s.RestoreSnapshot:
        return s.RestoreSnapshot(str(name), str(table), str(new))

    def show_restore_jobs(self, table: Token | None) -> s.ShowRestoreJobs:
        return s.ShowRestoreJobs(_table(table))

    def refresh_external_table(
        self, table: Token, source: str | None, options: Clause | None
    ) -> s.RefreshExternalTable:
        return s.RefreshExternalTable(str(table), source or "", _options(options))

    def show_refresh_jobs(self, table: Token | None) -> s.ShowRefreshJobs:
        return s.ShowRefreshJobs(_table(table))

    # ---- what the server holds -----------------------------------------------------------
    def show_server_version(self) -> s.ShowServerVersion:
        return s.ShowServerVersion()

    def loaded(self) -> bool:
        return True

    def show_segments(self, loaded: bool | None, table: Token) -> s.ShowSegments:
        return s.ShowSegments(str(table), loaded=bool(loaded))

    def show_compaction(self, job: Token) -> s.ShowCompaction:
        return s.ShowCompaction(int(job))

    def show_compactions(self, table: Token) -> s.ShowCompactions:
        return s.ShowCompactions(str(table))

    def flush_all(self) -> s.FlushAll:
        return s.FlushAll()

    def create_file_resource(self, name: Token, path: str) -> s.CreateFileResource:
        return s.CreateFileResource(str(name), path)

    def drop_file_resource(self, name: Token) -> s.DropFileResource:
        return s.DropFileResource(str(name))

    def show_file_resources(self) -> s.ShowFileResources:
        return s.ShowFileResources()

    def pin_snapshot(self, name: Token, table: Token, seconds: Token | None) -> s.PinSnapshot:
        return s.PinSnapshot(str(name), str(table), int(seconds) if seconds is not None else 0)

    def unpin_snapshot(self, pin: Token) -> s.UnpinSnapshot:
        return s.UnpinSnapshot(int(pin))

    def show_replication(self) -> s.ShowReplication:
        return s.ShowReplication()

    def show_replication_info(self, cluster: str, channel: str) -> s.ShowReplicationInfo:
        return s.ShowReplicationInfo(cluster, channel)

    def optimize_table(self, table: Token, options: Clause | None) -> s.OptimizeTable:
        return s.OptimizeTable(str(table), _options(options))

    def alter_role_comment(self, name: Token, comment: str) -> s.CommentOn:
        return s.CommentOn("role", str(name), comment)

    def alter_user_comment(self, name: Token, comment: str) -> s.CommentOn:
        return s.CommentOn("user", str(name), comment)
