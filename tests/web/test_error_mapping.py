"""Each error is mapped once, in `policykeeper.errors`, and every shell reports it by that
mapping: the JSON API with its status and code, the pages with its status and kind, the CLI
with one line and its exit code."""

from __future__ import annotations

import importlib
import pkgutil
import shutil
from collections.abc import Iterator
from html import unescape

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_kit import EXAMPLE

import policykeeper
from policykeeper import errors
from policykeeper.cli import reported
from policykeeper.errors import PolicyKeeperError, Problem
from policykeeper.web.app import create_app

MAPPING = ("status", "code", "exit_code", "page")


def _all_errors() -> list[type[PolicyKeeperError]]:
    for module in pkgutil.walk_packages(policykeeper.__path__, "policykeeper."):
        importlib.import_module(module.name)
    found: list[type[PolicyKeeperError]] = []
    todo = [PolicyKeeperError]
    while todo:
        kind = todo.pop()
        found.append(kind)
        todo.extend(kind.__subclasses__())
    return found


def _instance(kind: type[PolicyKeeperError]) -> PolicyKeeperError:
    if issubclass(kind, errors.ProblemsFound):
        return kind([Problem("policy.yaml", 3, 1, "one problem")])
    if kind is errors.IllegalTransition:
        return kind("completed", "executing")
    if kind is errors.WrongCode:
        return kind(2)
    return kind("what went wrong")


def test_only_the_errors_module_maps_an_error() -> None:
    elsewhere = [
        f"{kind.__module__}.{kind.__name__}.{name}"
        for kind in _all_errors()
        for name in MAPPING
        if name in vars(kind) and kind.__module__ != "policykeeper.errors"
    ]
    assert elsewhere == []


DOMAIN = [
    kind
    for kind in vars(errors).values()
    if isinstance(kind, type) and issubclass(kind, PolicyKeeperError)
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    folder = tmp_path_factory.mktemp("errors")
    project = folder / "ainema"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".*", "*.sqlite3"))
    app = create_app(
        project,
        database_url=f"sqlite:///{folder / 'state.sqlite3'}",
        secret_key=b"errors-test-secret-key-012345678",
        run_worker=False,
    )
    by_name = {kind.__name__: kind for kind in DOMAIN}

    def boom(name: str) -> None:
        raise _instance(by_name[name])

    def crash() -> None:
        raise RuntimeError("a bug with a secret in it")

    app.add_api_route("/api/boom/{name}", boom)
    app.add_api_route("/boom/{name}", boom)
    app.add_api_route("/api/crash", crash)
    app.add_api_route("/crash", crash)
    yield app


@pytest.mark.parametrize("kind", DOMAIN, ids=lambda kind: kind.__name__)
def test_the_api_and_the_pages_answer_with_the_mapping(app: FastAPI, kind: type) -> None:
    with TestClient(app, headers={"accept-language": "en"}) as client:
        api = client.get(f"/api/boom/{kind.__name__}")
        page = client.get(f"/boom/{kind.__name__}")
    assert api.status_code == kind.status
    # A refused audit write tells the caller nothing of the store (logged for the operator).
    hidden = "the service cannot record this now; try again later"
    message = hidden if kind is errors.AuditKeyError else str(_instance(kind))
    assert api.json() == {"error": kind.code, "message": message}
    assert page.status_code == kind.status
    assert page.headers["content-type"].startswith("text/html")
    title = {"invalid": "Please check what you entered", "conflict": "That isn't possible now"}
    title |= {"not_found": "Page not found", "mail": "We couldn't send the email"}
    title |= {"server": "Something went wrong", "forbidden": "Not allowed"}
    if kind.page in title:
        assert title[kind.page] in unescape(page.text)
    assert "Traceback" not in page.text


def test_an_unknown_route_and_a_crash_are_json_or_a_page(app: FastAPI) -> None:
    with TestClient(
        app, raise_server_exceptions=False, headers={"accept-language": "en"}
    ) as client:
        missing_api = client.get("/api/no/such/thing")
        missing_page = client.get("/no/such/thing")
        crash_api = client.get("/api/crash")
        crash_page = client.get("/crash")
    assert missing_api.status_code == 404 and missing_api.json()["error"] == "http_error"
    assert missing_page.status_code == 404 and "text/html" in missing_page.headers["content-type"]
    assert crash_api.status_code == 500
    assert crash_api.json() == {"error": "server_error", "message": "something went wrong"}
    assert crash_page.status_code == 500 and "Something went wrong" in crash_page.text
    assert "secret" not in crash_api.text + crash_page.text


def test_unauthorized_api_answers_say_how_to_authenticate(app: FastAPI) -> None:
    with TestClient(app) as client:
        response = client.get("/api/boom/Unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("kind", DOMAIN, ids=lambda kind: kind.__name__)
def test_the_cli_prints_one_line_and_exits_with_the_mapping(
    kind: type, capsys: pytest.CaptureFixture[str]
) -> None:
    @reported
    def command() -> None:
        raise _instance(kind)

    with pytest.raises(typer.Exit) as exited:
        command()
    assert exited.value.exit_code == kind.exit_code != 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    said = ("one problem", "what went wrong", "completed", "the code is not correct")
    assert any(words in lines[0] for words in said)


def test_the_workflow_names_the_same_errors() -> None:
    from policykeeper.workflow import errors as workflow_errors

    for name in workflow_errors.__all__:
        assert getattr(workflow_errors, name) is getattr(errors, name)
