"""``accord init``: prepare the data directory, database and public record."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.agreements.nations import nation_code
from accord.cli import context
from accord.config import Settings
from accord.node import keys as key_files
from accord.node.initialise import create_identity, initialise


def _identity(settings: Settings, nation: str, name: str, say: bool) -> bool:
    """The node's key set and descriptor: created once; a different identity is refused."""
    if not create_identity(settings, nation, name, context.clock):
        return False
    if say:
        context.out.print(
            f"  node {name} ({nation}): keys in {key_files.key_set_path(settings)}; descriptor "
            f"for partners in {settings.home_path / 'descriptor.json'}",
            markup=False,
        )
    if key_files.passphrase() is None:
        # The private keys sign this nation's releases: say plainly when nothing but the file's
        # permissions protects them.
        context.err.print(
            f"warning: the key set is not protected by a passphrase (set "
            f"{key_files.PASSPHRASE_VARIABLE} before 'accord init' to seal it; every command "
            "that uses the keys then needs it)",
            markup=False,
        )
    return True


def init(
    nation: Annotated[
        str | None,
        typer.Option("--nation", help="The node's nation (ISO alpha-3): creates its keys."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="The node's name (default: ACCORD_NODE_NAME).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """Create the data directory and database (migrations) and load the public record; with
    ``--nation``, also the node's key set and signed descriptor.

    Running it again on an initialised node changes nothing and says so.
    """
    settings = context.settings()
    result = initialise(settings, context.clock)
    out = context.out
    node_name = name or settings.node_name
    created = nation is not None and _identity(
        settings, nation_code(nation), node_name, say=not as_json
    )
    if as_json:
        keys = key_files.key_set_path(settings)
        context.print_json(
            {
                "home": str(result.home),
                "database": result.database,
                "changed": result.changed or created,
                "schema": result.migrated_to,
                "migrated_from": result.migrated_from,
                "public_record": result.summary.to_dict() | {"kept": list(result.summary.kept)},
                "node": node_name if keys.exists() else None,
                "keys_created": created,
                "descriptor": str(settings.home_path / "descriptor.json")
                if keys.exists()
                else None,
            }
        )
        return
    if not result.changed and not created:
        out.print(
            f"Accord is already initialised in {result.home} ({result.database}); nothing changed."
        )
        return
    out.print(f"Initialised Accord in {result.home}")
    out.print(f"  database: {result.database} (schema {result.migrated_to})")
    if result.summary.added:
        agreements = [a for a in result.summary.added if a.startswith("agreement ")]
        out.print(
            f"  public record: {context.counted(len(agreements), 'agreement')} added, "
            f"{len(result.summary.added) - len(agreements)} sources and other facts"
        )
    if result.summary.kept:
        out.print(
            f"  public record: kept {context.counted(len(result.summary.kept), 'entry', 'entries')}"
            " as this node holds them, "
            "which differ from this version's public record: "
            + ", ".join(result.summary.kept[:6])
            + (" ..." if len(result.summary.kept) > 6 else "")
            + " (docs/register.md, 'Upgrading')",
            markup=False,
        )
