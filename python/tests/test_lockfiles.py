"""The wheel must classify exactly as the command line, so it must build the main crate with the
very versions of its dependencies that the command line is built with (python/Cargo.lock was
seeded from Cargo.lock)."""

import shutil
import subprocess

import pytest

from conftest import PYTHON_DIR, REPO


def dependency_tree(manifest, *features):
    out = subprocess.run(
        ["cargo", "tree", "--locked", "--manifest-path", str(manifest), "-p", "cuishou", "-e", "normal,build",
         "--prefix", "none", "--format", "{p}", *features],
        check=True, stdout=subprocess.PIPE, text=True,
    ).stdout
    # "name vX.Y.Z (path)" -> "name vX.Y.Z"; a repeated crate is marked "(*)".
    return {" ".join(line.split()[:2]) for line in out.splitlines() if line.strip()}


@pytest.mark.skipif(shutil.which("cargo") is None, reason="needs cargo")
def test_the_wheel_builds_the_main_crate_with_the_command_lines_dependencies():
    # The wheel builds the library alone (default-features = false): compare it with the library
    # as the command line's lock resolves it, without the command line's own crates (clap, ...).
    main = dependency_tree(REPO / "Cargo.toml", "--no-default-features")
    wheel = dependency_tree(PYTHON_DIR / "Cargo.toml")
    names = {c.split()[0] for c in main}
    # The wheel may add crates (arrow turns on chrono's clock and num-traits' libm, say), but of
    # every crate the command line uses it builds the same version, and no other.
    other = sorted(c for c in wheel - main if c.split()[0] in names)
    assert main <= wheel and not other, (
        f"only in Cargo.lock: {sorted(main - wheel)}; other versions in python/Cargo.lock: {other}. "
        "Copy Cargo.lock over python/Cargo.lock and run `cargo update -w` in python/"
    )
