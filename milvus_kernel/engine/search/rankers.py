"""RERANK DECAY / BOOST / MODEL: pymilvus `Function`s of type RERANK (a chain: `FunctionScore`).

`DECAY(field = 'at', function = 'gauss' | 'exp' | 'linear', origin = 0, scale = 10, offset = 0,
decay = 0.5)` multiplies each hit's score by a factor in (0, 1] that falls with the distance of
the field's value from `origin` (past `offset`): at `scale` the factor is `decay`.
`BOOST(WHERE label = 'red', weight = 2.0 [, random_score = (seed = 1, field = 'id')])` scales the
score of the hits the filter matches. `MODEL(field = 'body', provider = 'tei', endpoint = '...',
queries = ('...'))` lets a reranking model on the server score the hits' text.

One search sends its ranker as `search(..., ranker=Function(...))`, a chain of them as
`FunctionScore([...])`. A hybrid search sends its first ranker as `hybrid_search(ranker=...)`;
pymilvus takes no chain there, so the DECAY and BOOST rankers after it are applied by the kernel
to the fused scores, exactly as the server applies them to one search: the hybrid search fetches
every fused candidate (the sum of the legs' limits), and the kernel multiplies the score by the
decay factor (`decay_factor`, Milvus's formulas) or the weight (BOOST's filter judged by the
server: one `query` of the candidates' keys), sorts and keeps OFFSET / LIMIT.

Milvus 2.6 has these rankers, Milvus Lite runs DECAY and BOOST (its MODEL knows only 'cohere');
an older server (the 2.3 standalone) has none: the statement stops in one line naming it.
"""

from __future__ import annotations

import json
import math
from typing import Any

from milvus_kernel.engine.catalog import Catalog
from milvus_kernel.engine.connection.capabilities import is_lite, older_than, server_name
from milvus_kernel.engine.schema.fields import CollectionInfo
from milvus_kernel.errors import ExecutionError, NotSupported
from milvus_kernel.language.statements import Ranker

DECAY_FUNCTIONS = ("gauss", "exp", "linear")
NUMERIC = ("INT8", "INT16", "INT32", "INT64", "FLOAT", "DOUBLE")
#: The rankers a hybrid search can apply after its first one, in the kernel.
KERNEL_CHAIN = ("DECAY", "BOOST")
LITE_MODEL_PROVIDERS = ("cohere",)
#: Metrics where smaller is closer (Milvus Lite 3.2.2 squares BOOST's weight on them).
DISTANCES = ("L2", "HAMMING", "JACCARD")


def decay_factor(
    function: str, value: float, origin: float, scale: float, offset: float, decay: float
) -> float:
    """Milvus's decay factor of one value: 1 within `offset` of `origin`, `decay` at `scale`."""
    distance = max(0.0, abs(value - origin) - offset)
    if function == "gauss":
        return math.exp(distance * distance * math.log(decay) / (scale * scale))
    if function == "exp":
        return math.exp(math.log(decay) * distance / scale)
    return max(0.0, 1.0 - (1.0 - decay) * distance / scale)


def require_rankers(
    catalog: Catalog, rankers: tuple[Ranker, ...], metric: str | None = None
) -> None:
    """Stop, in one line, a ranker the connected server does not have (or gets wrong)."""
    extra = [r for r in rankers if r.name not in ("RRF", "WEIGHTED")]
    if not extra or catalog.explaining:  # EXPLAIN prints it anyway
        return
    if is_lite(catalog):
        if metric in DISTANCES and any(r.name == "BOOST" for r in extra):
            raise NotSupported(
                f"RERANK BOOST on an {metric} search is not supported by Milvus Lite (it applies "
                "the weight twice to distances): search with COSINE or IP"
            )
        for ranker in extra:
            provider = str(ranker.options.get("provider", "")).lower()
            if ranker.name == "MODEL" and provider not in LITE_MODEL_PROVIDERS:
                raise NotSupported(
                    f"RERANK MODEL with provider '{provider}' is not supported by Milvus Lite "
                    "(it has 'cohere' only)"
                )
        return
    if older_than(catalog, (2, 6)):
        raise NotSupported(
            f"RERANK {extra[0].name} is not supported by {server_name(catalog)}: "
            "rerank functions need Milvus 2.6"
        )


def function(info: CollectionInfo, ranker: Ranker, number: int = 1) -> Any:
    """The pymilvus `Function` (type RERANK) of DECAY, BOOST or MODEL, its arguments checked."""
    from pymilvus import Function, FunctionType

    options = dict(ranker.options)
    if ranker.name == "DECAY":
        field, params = _decay(info, options)
        inputs = [field]
    elif ranker.name == "BOOST":
        inputs, params = [], _boost(ranker, options)
    elif ranker.name == "MODEL":
        inputs, params = _model(info, options)
    else:
        raise ExecutionError(f"RERANK {ranker.name} fuses the legs of a hybrid search only")
    return Function(
        name=f"{ranker.name.lower()}_{number}",
        function_type=FunctionType.RERANK,
        input_field_names=inputs,
        params=params,
    )


def search_ranker(info: CollectionInfo, rankers: tuple[Ranker, ...]) -> Any:
    """One search's `ranker=`: a `Function`, or a `FunctionScore` of the chain."""
    from pymilvus import FunctionScore

    functions = [function(info, r, n) for n, r in enumerate(rankers, start=1)]
    return functions[0] if len(functions) == 1 else FunctionScore(functions)


def check_chain(rankers: tuple[Ranker, ...], group_by: str | None) -> tuple[Ranker, ...]:
    """The rankers a hybrid search applies after its first (in the kernel), checked."""
    if rankers and rankers[0].name == "BOOST":  # Milvus Lite would fuse by RRF, unsaid
        raise ExecutionError(
            "BOOST does not fuse the legs of a hybrid search: put RRF(k) or WEIGHTED(...) "
            "first, then BOOST(...)"
        )
    rest = rankers[1:]
    for ranker in rest:
        if ranker.name not in KERNEL_CHAIN:
            raise ExecutionError(
                f"RERANK {ranker.name} can only be the first ranker of a hybrid search; "
                "after it come DECAY(...) and BOOST(...)"
            )
        if ranker.name == "BOOST" and "random_score" in ranker.options:
            raise ExecutionError(
                "BOOST(... random_score ...) can only be the first ranker of a hybrid search"
            )
    if rest and group_by:
        raise ExecutionError("GROUP BY cannot follow a chain of rankers: use one ranker")
    return rest


def _number(options: dict[str, Any], key: str, default: float | None = None) -> float:
    value = options.pop(key, default)
    if value is None:
        raise ExecutionError(f"DECAY needs {key} = <number>")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExecutionError(f"DECAY's {key} is a number, not {value!r}")
    return value


def _decay(info: CollectionInfo, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    field = options.pop("field", None)
    if not isinstance(field, str):
        raise ExecutionError("DECAY needs field = '<numeric field>', e.g. field = 'at'")
    found = info.field(field)
    if found is None:
        raise ExecutionError(f"collection '{info.name}' has no field '{field}' for DECAY")
    if found.type not in NUMERIC:
        raise ExecutionError(f"DECAY needs a numeric field: {field} is {found.type_text}")
    kind = str(options.pop("function", "")).lower()
    if kind not in DECAY_FUNCTIONS:
        raise ExecutionError("DECAY needs function = 'gauss', 'exp' or 'linear'")
    origin, scale = _number(options, "origin"), _number(options, "scale")
    offset, decay = _number(options, "offset", 0), _number(options, "decay", 0.5)
    if scale <= 0:
        raise ExecutionError(f"DECAY's scale must be above 0, not {scale}")
    if offset < 0:
        raise ExecutionError(f"DECAY's offset must be 0 or more, not {offset}")
    if not 0 < decay < 1:
        raise ExecutionError(f"DECAY's decay must be between 0 and 1 (exclusive), not {decay}")
    params = {"reranker": "decay", "function": kind, "origin": origin, "scale": scale}
    params.update(offset=offset, decay=decay, **options)  # score_mode, norm_score, ...
    return field, params


def _boost(ranker: Ranker, options: dict[str, Any]) -> dict[str, Any]:
    weight = options.pop("weight", None)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        raise ExecutionError("BOOST needs weight = <number>, e.g. BOOST(WHERE ..., weight = 2.0)")
    params: dict[str, Any] = {"reranker": "boost"}
    if ranker.where is not None:
        params["filter"] = ranker.where.expression
    params["weight"] = float(weight)
    random_score = options.pop("random_score", None)
    if random_score is not None:
        if not isinstance(random_score, dict):
            raise ExecutionError("BOOST's random_score is (seed = n [, field = 'f'])")
        params["random_score"] = random_score
    params.update(options)
    return params


def _model(info: CollectionInfo, options: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    field = options.pop("field", None)
    if not isinstance(field, str) or info.field(field) is None:
        raise ExecutionError(
            "MODEL needs field = '<VARCHAR field>' (the text the model scores)"
            + (f": collection '{info.name}' has no field '{field}'" if field else "")
        )
    for key in ("provider", "queries"):
        if key not in options:
            raise ExecutionError(f"MODEL needs {key} = ...")
    queries = options.pop("queries")
    queries = [queries] if isinstance(queries, str) else list(queries)
    params = {"reranker": "model", "provider": options.pop("provider"), "queries": queries}
    params.update(options)  # endpoint, model_name, max_client_batch_size, ...
    return [field], params


def chain_fields(rest: tuple[Ranker, ...]) -> list[str]:
    """The fields the kernel's DECAY steps read from each hit."""
    return [str(r.options["field"]) for r in rest if r.name == "DECAY" and "field" in r.options]


def apply_chain(
    catalog: Catalog,
    info: CollectionInfo,
    results: Any,
    rest: tuple[Ranker, ...],
    window: tuple[int, int],
) -> list[list[dict[str, Any]]]:
    """The fused hits of a hybrid search after the kernel's DECAY / BOOST steps, per query:
    rescored, sorted (best first) and cut to (offset, limit)."""
    offset, limit = window
    pk = info.primary.name
    queries = [
        [
            {
                "id": hit.get(pk, hit.get("id")),
                "distance": float(hit.get("distance")),
                "entity": dict(hit.get("entity") or {}),
            }
            for hit in hits
        ]
        for hits in results
    ]
    keys = list({hit["id"] for hits in queries for hit in hits})
    for ranker in rest:
        if ranker.name == "DECAY":
            _, params = _decay(info, dict(ranker.options))
            args = [params[k] for k in ("function", "origin", "scale", "offset", "decay")]
            field = str(ranker.options["field"])
            for hits in queries:
                for hit in hits:
                    value = hit["entity"].get(field)
                    factor = 0.0 if value is None else decay_factor(args[0], value, *args[1:])
                    hit["distance"] *= factor
        else:
            weight = _boost(ranker, dict(ranker.options))["weight"]
            matched = _matching(catalog, info, ranker, keys)
            for hits in queries:
                for hit in hits:
                    if matched is None or hit["id"] in matched:
                        hit["distance"] *= weight
    for hits in queries:
        hits.sort(key=lambda hit: -hit["distance"])
    return [hits[offset : offset + limit] for hits in queries]


def _matching(
    catalog: Catalog, info: CollectionInfo, ranker: Ranker, keys: list[Any]
) -> set[Any] | None:
    """The keys among `keys` that BOOST's filter matches (None: no filter, every hit)."""
    if ranker.where is None:
        return None
    if not keys:
        return set()
    pk = info.primary.name
    expression = f"({ranker.where.expression}) and {pk} in {json.dumps(keys)}"
    rows = catalog.call(
        "query",
        info.name,
        filter=expression,
        output_fields=[pk],
        limit=len(keys),
        table=info.name,
        **catalog.read_options(),
    )
    return {row[pk] for row in rows or []}
