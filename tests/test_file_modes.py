"""File modes are enforced, not assumed: one account gets 0700/0600 back on every start, a shared
group installation keeps exactly 2770/0660, and a config or policy file others can write is refused."""

from __future__ import annotations

import grp
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.cli.context import os_account
from console.cli.main import main
from models.core import modes
from models.core.db import close_database
from tests.support.env import BACKEND

INIT = ("--name", "Anna Admin", "--commitment-date", "2024-01-02")
sqlite_only = pytest.mark.skipif(BACKEND != "sqlite", reason="file modes of the SQLite database")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def private_modes() -> Iterator[None]:
    modes.configure(None)
    yield
    close_database()
    modes.configure(None)


@sqlite_only
def test_a_loose_database_wal_shm_journal_and_backup_are_tightened_with_a_notice(isolated_dirs, capsys) -> None:
    assert main(["init", "--admin", os_account(), "--roles", "admin,privacy_officer", *INIT]) == 0
    assert main(["backup"]) == 0
    capsys.readouterr()
    db = isolated_dirs / "support24.db"
    journal = isolated_dirs / "deletion-journal.jsonl"
    journal.write_text("")
    (backup,) = (isolated_dirs / "backups").iterdir()
    loose = [db, db.with_name("support24.db-wal"), db.with_name("support24.db-shm"), journal, backup]
    for path in loose:
        assert path.exists(), path
        path.chmod(0o644)
    isolated_dirs.chmod(0o755)
    close_database()
    assert main(["stats"]) == 0
    err = capsys.readouterr().err
    assert {path.name: _mode(path) for path in loose} == {path.name: 0o600 for path in loose}
    assert _mode(isolated_dirs) == 0o700
    for path in loose:
        assert f"{path}: mode 0644 set to 0600" in err, err


@sqlite_only
def test_wal_and_shm_of_a_database_outside_the_data_folder_are_private(tmp_path, capsys) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    db = elsewhere / "s24.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    assert main(["--database", f"sqlite:///{db}", "init", "--admin", os_account(), *INIT]) == 0
    for suffix in ("", "-wal", "-shm"):
        path = db.with_name(db.name + suffix)
        assert _mode(path) == 0o600, (path, oct(_mode(path)))


@pytest.mark.parametrize("mode", [0o666, 0o664, 0o646])
def test_a_config_file_others_can_write_is_refused_with_the_reason(isolated_dirs, tmp_path, capsys, mode) -> None:
    config = Path(os.environ["SUPPORT24_CONFIG_DIR"])
    config.mkdir(parents=True)
    (config / "config.toml").write_text('language = "de"\n')
    (config / "config.toml").chmod(mode)
    code = main(["stats"])
    err = capsys.readouterr().err
    assert code == 2 and "config.toml" in err and f"{mode:04o}" in err and "chmod go-w" in err


def test_a_policy_file_others_can_write_is_refused_with_the_reason(db, tmp_path, capsys) -> None:
    from tests.support import factories as f

    f.staff(os_account(), roles="admin privacy_officer", name="Olga Operator")
    policy = tmp_path / "policy.toml"
    assert main(["policy", "default"]) == 0
    policy.write_text(capsys.readouterr().out)
    policy.chmod(0o646)
    code = main(["policy", "show", "--policy", str(policy)])
    err = capsys.readouterr().err
    assert code == 2 and "other accounts can change it" in err
    policy.chmod(0o644)
    assert main(["policy", "show", "--policy", str(policy)]) == 0


# --- a shared installation: two real OS accounts in one group ------------------------------------

GROUP, OTHER = "s24share", "s24tech2"


@pytest.fixture
def second_account() -> Iterator[pwd.struct_passwd]:
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        pytest.skip("needs root to create a group and a second account")
    subprocess.run(["groupadd", "-f", GROUP], check=True)
    subprocess.run(["userdel", "-r", OTHER], capture_output=True)
    subprocess.run(["useradd", "-M", "-N", "-g", GROUP, "-s", "/usr/sbin/nologin", OTHER], check=True)
    subprocess.run(["usermod", "-a", "-G", GROUP, "root"], check=True)
    yield pwd.getpwnam(OTHER)
    subprocess.run(["userdel", OTHER], capture_output=True)
    subprocess.run(["gpasswd", "-d", "root", GROUP], capture_output=True)
    subprocess.run(["groupdel", GROUP], capture_output=True)


def _as(account: pwd.struct_passwd, argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run the CLI in a forked child that has become `account` (its own uid, group and umask)."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no exec, the interpreter is already loaded
        try:
            sys.stdout = os.fdopen(out_w, "w")  # pytest's capture objects stay with the parent
            sys.stderr = os.fdopen(err_w, "w")
            os.setgroups([account.pw_gid])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            os.umask(0o022)
            os.environ.update(env, HOME="/nonexistent", USER=account.pw_name)
            code = main(argv)
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException as exc:  # everything: a child must never return into pytest
            os.write(err_w, repr(exc).encode())
            code = 99
        os._exit(code)
    os.close(out_w)
    os.close(err_w)
    with os.fdopen(out_r) as out, os.fdopen(err_r) as err:
        stdout, stderr = out.read(), err.read()
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), stdout, stderr


@sqlite_only
def test_two_accounts_in_one_group_share_one_sqlite_database_with_their_own_identities(second_account, capsys) -> None:
    base = Path(tempfile.mkdtemp(prefix="s24-shared-"))
    base.chmod(0o755)
    data = base / "data"
    config = base / "config"
    env = {"SUPPORT24_DATA_DIR": str(data), "SUPPORT24_CONFIG_DIR": str(config), "SUPPORT24_DATABASE_URL": ""}
    os.environ.pop("SUPPORT24_DATABASE_URL", None)
    os.environ.update({k: v for k, v in env.items() if v})
    try:
        me = pwd.getpwuid(0)
        code, out, err = _as(me, ["init", "--admin", "root", "--shared-group", GROUP, *INIT], env)
        assert code == 0, err
        staff = base / "staff.jsonl"
        line = {"type": "staff", "username": OTHER, "name": "Tom Zwei", "role": "technician"}
        staff.write_text(json.dumps(line | {"commitment_signed_on": "2024-01-15"}) + "\n")
        staff.chmod(0o644)
        code, out, err = _as(me, ["import", str(staff)], env)
        assert code == 0, err
        customer = base / "customer.jsonl"
        customer.write_text(json.dumps({"type": "customer", "number": "K-1", "name": "Kunde Eins"}) + "\n")
        customer.chmod(0o644)
        code, out, err = _as(second_account, ["import", str(customer)], env)
        assert code == 0, err
        code, out, err = _as(second_account, ["stats", "--json"], env)
        assert code == 0 and out, (out, err)
        assert json.loads(out)["customers"] == 1, err
        code, out, err = _as(me, ["stats", "--json"], env)
        assert code == 0 and json.loads(out)["customers"] == 1, err
        gid = grp.getgrnam(GROUP).gr_gid
        assert stat.S_IMODE(os.stat(data).st_mode) == 0o2770 and os.stat(data).st_gid == gid
        db = data / "support24.db"
        for path in (db, db.with_name("support24.db-wal"), db.with_name("support24.db-shm")):
            if path.exists():
                assert (stat.S_IMODE(os.stat(path).st_mode), os.stat(path).st_gid) == (0o660, gid), path
        import sqlite3

        actors = {row[0] for row in sqlite3.connect(db).execute("SELECT actor FROM audit_event")}
        assert {"root", OTHER} <= actors, actors
    finally:
        shutil.rmtree(base, ignore_errors=True)
