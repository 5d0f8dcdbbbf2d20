"""The node's periodic workers, which ``accord serve`` runs beside the API in every worker process:
the register follower, the delivery worker, witnessing and the lifecycle watcher. Each runs its
passes off the event loop's thread and keeps running whatever one pass raises (it is logged)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from accord.config import Settings
from accord.errors import AccordError
from accord.node.services import NodeServices
from accord.node.watcher import LifecycleWatcher

#: How often every process checks the register's revision (one small query): a change made by
#: the CLI, the API or another process reaches its decisions within this long.
FOLLOW_INTERVAL_SECONDS = 0.5


def start_workers(node: NodeServices, settings: Settings) -> list[asyncio.Task[None]]:
    """Start the workers on the running event loop; cancel the tasks to stop them."""
    return [
        asyncio.create_task(_follow(node)),
        asyncio.create_task(_watch(node, settings.watch_interval_seconds)),
        asyncio.create_task(_deliver(node, settings.delivery_interval_seconds)),
        asyncio.create_task(_witness(node, settings.witness_interval_seconds)),
    ]


async def _repeat(name: str, one_pass: Callable[[], bool], interval: float) -> None:
    """``one_pass`` every ``interval`` seconds, off the loop's thread; a pass that returns True
    (it found work) is followed at once by another."""
    log = logging.getLogger(f"accord.{name}")
    while True:
        busy = False
        try:
            busy = await asyncio.to_thread(one_pass)
        except AccordError as error:
            log.warning("%s: %s", name, error)
        except Exception:  # the worker keeps running; the next pass tries again
            log.exception("%s pass failed", name)
        if not busy:
            await asyncio.sleep(interval)


async def _follow(node: NodeServices) -> None:
    def one_pass() -> bool:
        node.follow_register()
        return False  # the next check waits its interval, changed or not

    await _repeat("register", one_pass, FOLLOW_INTERVAL_SECONDS)


async def _watch(node: NodeServices, interval: float) -> None:
    log = logging.getLogger("accord.watcher")

    def one_pass() -> bool:
        raised = LifecycleWatcher(node.database, node.clock).run_once()
        if raised:
            node.refresh()
            for alert in raised:
                log.info("alert: %s", alert.message, extra={"fields": alert.to_dict()})
        return False

    await _repeat("watcher", one_pass, interval)


async def _deliver(node: NodeServices, interval: float) -> None:
    def one_pass() -> bool:
        report = node.delivery().run_once()
        return bool(report.delivered or report.refused)

    await _repeat("delivery", one_pass, interval)


async def _witness(node: NodeServices, interval: float) -> None:
    log = logging.getLogger("accord.witnessing")

    def one_pass() -> bool:
        for cosigned in node.witnesses().collect():
            log.info(
                "witness: %s cosigned this node's checkpoint at size %d",
                cosigned.witness,
                cosigned.size,
                extra={"fields": {"witness": cosigned.witness, "size": cosigned.size}},
            )
        return False

    await asyncio.sleep(interval)
    await _repeat("witnessing", one_pass, interval)
