"""Evidence files per indicator value, through the API: stored once by content, typed by their
content, listed with who and when, opened only by those who may see the unit's values, removed
with a recorded reason; and a server killed (SIGKILL) mid-upload leaves no half-stored file."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from open_province import open_year
from test_faults_process import ROOT, wait_for

from accounts.service import create_account, create_api_token
from scoring.tables import EvidenceBlob, EvidenceFile
from server.app import create_app
from storage.audit import verify
from storage.tables import AuditEntry

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))
from e2e_browse import HOST, free_port, wait_ready

pytestmark = pytest.mark.db

UNIT_A, UNIT_B = "02200", "02203"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class Setting:
    period: int
    indicator: str
    tokens: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def value_path(self, unit: str = UNIT_A) -> str:
        return f"/api/v1/periods/{self.period}/values/{unit}/{self.indicator}/evidence"


@pytest.fixture
async def setting(clean_db: str) -> Setting:
    period, plan, _ = await open_year(None)
    tokens = {}
    for who, role, unit in (("a", "unit", UNIT_A), ("b", "unit", UNIT_B), ("so", "admin", None),
                            ("hd", "council", None)):
        account = await create_account(f"tk.{who}", f"Người {who}", "mat-khau-rat-dai-2025", role,
                                       unit_code=unit, actor="system")
        tokens[who] = await create_api_token(account["id"], "kiểm thử")
    return Setting(period, plan.indicators_of("commune")[0].id, tokens)


@pytest.fixture
async def api() -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app()) as client:
        yield client


def pdf_file(name: str = "Quyết định khen thưởng.pdf", data: bytes = PDF) -> list[Any]:
    return [("file", (name, data, "application/pdf"))]


async def test_a_unit_uploads_lists_and_opens_its_evidence(setting: Setting,
                                                           api: AsyncTestClient[Any]) -> None:
    sent = await api.post(setting.value_path(), files=pdf_file(), headers=setting.headers("a"))
    assert sent.status_code == 201, sent.text
    row = sent.json()
    assert (row["sha256"], row["size"], row["media_type"]) == (hashlib.sha256(PDF).hexdigest(), len(PDF),
                                                               "application/pdf")
    assert row["name"] == "Quyết định khen thưởng.pdf" and row["uploaded_by"] == "tk.a"
    again = await api.post(setting.value_path(), files=pdf_file("ban-sao.pdf"), headers=setting.headers("a"))
    assert again.status_code == 201
    assert await EvidenceBlob.count() == 1, "cùng một nội dung chỉ lưu một lần"

    listed = (await api.get(setting.value_path(), headers=setting.headers("so"))).json()
    assert [r["name"] for r in listed] == ["Quyết định khen thưởng.pdf", "ban-sao.pdf"]
    one = f"/api/v1/periods/{setting.period}/evidence/{row['id']}"
    opened = await api.get(one, headers=setting.headers("a"))
    assert opened.status_code == 200 and opened.content == PDF
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"].startswith("inline; filename=\"Quyet dinh khen thuong.pdf\"")
    assert "filename*=UTF-8''Quy%E1%BA%BFt" in opened.headers["content-disposition"]
    assert opened.headers["x-content-type-options"] == "nosniff"


async def test_the_type_comes_from_the_content_and_the_size_is_bounded(
        setting: Setting, api: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    page = b"<html><script>alert(1)</script></html>"
    for data, words in ((page, "không phải tài liệu kiểm chứng"), (b"", "Tệp rỗng")):
        refused = await api.post(setting.value_path(), files=pdf_file("gia.pdf", data),
                                 headers=setting.headers("a"))
        assert refused.status_code == 400 and words in refused.text, refused.text
    monkeypatch.setenv("THIDUA_MAX_EVIDENCE_MB", "0.0001")
    big = await api.post(setting.value_path(), files=pdf_file(data=PDF + b" " * 200),
                         headers=setting.headers("a"))
    assert big.status_code == 400 and "lớn hơn" in big.text
    assert await EvidenceFile.count() == 0 and await EvidenceBlob.count() == 0


async def test_another_unit_and_the_council_cannot_see_or_touch_a_units_evidence(
        setting: Setting, api: AsyncTestClient[Any]) -> None:
    row = (await api.post(setting.value_path(), files=pdf_file(), headers=setting.headers("a"))).json()
    one = f"/api/v1/periods/{setting.period}/evidence/{row['id']}"
    for who in ("b", "hd"):
        answers = [await api.get(setting.value_path(), headers=setting.headers(who)),
                   await api.post(setting.value_path(), files=pdf_file(), headers=setting.headers(who)),
                   await api.get(one, headers=setting.headers(who)),
                   await api.post(one + "/remove", json={"reason": "thử"}, headers=setting.headers(who))]
        assert [a.status_code for a in answers] == [403] * 4, [a.text for a in answers]
        assert all(PDF not in a.content and "Quyết định" not in a.text for a in answers)
    assert (await api.get(one)).status_code == 401
    assert await EvidenceFile.count() == 1


async def test_a_removal_needs_a_reason_and_stays_on_record(setting: Setting,
                                                            api: AsyncTestClient[Any]) -> None:
    row = (await api.post(setting.value_path(), files=pdf_file(), headers=setting.headers("a"))).json()
    remove = f"/api/v1/periods/{setting.period}/evidence/{row['id']}/remove"
    assert (await api.post(remove, json={"reason": "  "}, headers=setting.headers("a"))).status_code == 400
    done = await api.post(remove, json={"reason": "tải nhầm tệp"}, headers=setting.headers("a"))
    assert done.status_code == 200 and done.json()["removed_by"] == "tk.a"
    listed = (await api.get(setting.value_path(), headers=setting.headers("so"))).json()
    assert [(r["removal_reason"], r["removed_by"]) for r in listed] == [("tải nhầm tệp", "tk.a")]
    twice = await api.post(remove, json={"reason": "lần nữa"}, headers=setting.headers("a"))
    assert twice.status_code == 409
    actions = [r["action"] for r in await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.action.like("evidence.%")).order_by(AuditEntry.seq)]
    assert actions == ["evidence.add", "evidence.remove"]


async def test_a_server_killed_mid_upload_leaves_no_half_stored_file(setting: Setting,
                                                                     tmp_path: Path) -> None:
    before = (await EvidenceBlob.count(), await EvidenceFile.count(), await AuditEntry.count())
    marker, log, port = tmp_path / "giua-tai-len", tmp_path / "server.log", free_port()
    env = {**os.environ, "THIDUA_FAULT_AT": "evidence.blob", "THIDUA_FAULT_PAUSE": "120",
           "THIDUA_FAULT_MARKER": str(marker)}
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app",
                                   "--host", HOST, "--port", str(port), "--log-level", "warning"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        wait_ready(base + "/api/v1/health", server, log)
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            upload = asyncio.create_task(client.post(setting.value_path(), files=pdf_file(),
                                                     headers=setting.headers("a")))
            await wait_for(marker, server, log)  # the bytes are written, the file's row not yet
            server.send_signal(signal.SIGKILL)
            assert server.wait(timeout=30) == -signal.SIGKILL
            with pytest.raises(httpx.TransportError):
                await upload
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    after = (await EvidenceBlob.count(), await EvidenceFile.count(), await AuditEntry.count())
    assert after == before, "tải lên bị ngắt giữa chừng không được để lại nội dung hay dòng tham chiếu nào"
    assert (await verify()).ok
