"""Every user-visible CLI string exists in English and Russian."""

from __future__ import annotations

import re

from simulator.i18n import MESSAGES, t


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, (english, russian) in MESSAGES.items():
        assert english.strip() and russian.strip(), key
        assert re.search("[а-яё]", russian, re.I), f"{key}: the Russian text is not Russian"
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", russian)), key


def test_language_follows_the_setting(monkeypatch):
    monkeypatch.setenv("SPARRING_LANGUAGE", "ru")
    assert t("outcome.resolved") == "решено"
    monkeypatch.setenv("SPARRING_LANGUAGE", "en")
    assert t("outcome.resolved") == "resolved"
