"""A whole session on the openai backend against a real HTTP server on 127.0.0.1, which fails mid-session."""

from __future__ import annotations

from simulator.llm.openai_backend import OpenAIBackend


def remote(server, framing="chat") -> OpenAIBackend:
    return OpenAIBackend(base_url=server.url, model="sparring-test-model", timeout=2, max_retries=1, framing=framing)


def test_customer_lines_stream_from_the_server(openai_server, run_session):
    openai_server.reply(*[f"Fine, it is 77-4410. Line {i}." for i in range(40)])
    transcript = run_session("home-internet-down", "good", backend=remote(openai_server))
    generated = [e for e in transcript.messages("customer") if e.meta.get("backend") == "openai"]
    assert generated and any(not e.meta["fallback"] for e in generated)
    assert any("77-4410" in e.text for e in generated if not e.meta["fallback"])
    first = openai_server.requests[0].body
    assert first["model"] == "sparring-test-model" and first["messages"][0]["role"] == "system"


def test_the_session_survives_a_failing_server(openai_server, run_session):
    openai_server.fail("refuse", "refuse", 503, 503, "cut", "cut", "malformed", "malformed", "timeout", "timeout")
    transcript = run_session("home-internet-down", "good", backend=remote(openai_server, "transcript"))
    assert transcript.outcome == "resolved"
    notes = [e for e in transcript.events if e.type == "note"]
    assert notes and all(n.meta["code"] == "model_unavailable" and n.meta["error"] in n.text for n in notes)
    fallbacks = [e for e in transcript.messages("customer") if e.meta.get("fallback")]
    assert fallbacks and all(e.meta.get("error") for e in fallbacks if "error" in e.meta)
    assert len(openai_server.requests) <= 3 * len(transcript.messages("customer")), "retries stay bounded"
