"""Only the configured upstream hosts are contacted: anything else is refused before a request is made."""

import socket

import pytest

from pipelines import fetch
from pipelines.http import Client, FetchError
from pipelines.settings import get_settings


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("AIPLAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AIPLAN_EUROSTAT_URL", "http://127.0.0.1:9/eurostat")
    monkeypatch.setenv("AIPLAN_STATBEL_URL", "http://127.0.0.1:9/statbel")
    monkeypatch.setenv("AIPLAN_DESI_URL", "http://127.0.0.1:9/desi")
    return tmp_path


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test: refusal must come before connecting."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"a connection was attempted: {args}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_a_configured_file_on_another_host_is_refused(env, monkeypatch, no_network):
    monkeypatch.setenv("AIPLAN_STATBEL_FILES", "http://203.0.113.9/opendata/TF_SOC_POP_STRUCT_2022.zip")
    jobs = [j for j in fetch.jobs(get_settings(), statbel=True) if j.source == "statbel"]
    assert [j.url for j in jobs] == ["http://203.0.113.9/opendata/TF_SOC_POP_STRUCT_2022.zip"]
    [outcome], _ = fetch.fetch(jobs)
    assert outcome.status == "failed" and outcome.reason.startswith("refused_host")
    assert not (env / "raw" / "statbel").exists()


@pytest.mark.parametrize(
    "url",
    ["https://ec.europa.eu.evil.example/x", "http://127.0.0.2:9/eurostat/x", "http://user@evil.example/x"],
)
def test_client_refuses_hosts_that_only_look_alike(env, no_network, url):
    client = Client()
    with pytest.raises(FetchError) as exc:
        client.get(url, expect=("text/csv",))
    assert exc.value.kind == "refused_host" and client.stats.requests == 0
