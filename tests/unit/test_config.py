from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings


def test_defaults_without_token() -> None:
    settings = load_settings({})
    assert settings.bot_token is None
    assert settings.data_dir == Path("data")
    assert settings.admin_ids == frozenset()
    assert not settings.use_webhook


def test_full_configuration() -> None:
    settings = load_settings(
        {
            "BOT_TOKEN": "123:abc",
            "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot/",
            "DATA_DIR": "/tmp/x",
            "ADMIN_IDS": "1, 2,3",
            "MODERATION_CHAT_ID": "-1001",
            "WEBHOOK_URL": "https://example.org/hook",
            "WEBHOOK_SECRET": "s3cret_-",
            "PORT": "8443",
        }
    )
    assert settings.telegram_base_url == "http://127.0.0.1:8081/bot"
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.moderation_chat_id == -1001
    assert settings.use_webhook and settings.port == 8443


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"BOT_TOKEN": "not a token"}, "BOT_TOKEN"),
        ({"ADMIN_IDS": "12,abc"}, "ADMIN_IDS"),
        ({"MODERATION_CHAT_ID": "chat"}, "MODERATION_CHAT_ID"),
        ({"PORT": "99999"}, "PORT"),
        ({"TELEGRAM_BASE_URL": "localhost:8081"}, "TELEGRAM_BASE_URL"),
        ({"WEBHOOK_URL": "https://example.org/hook"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "http://example.org/hook", "WEBHOOK_SECRET": "a"}, "WEBHOOK_URL"),
        ({"WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"DRAFT_TTL_HOURS": "-1"}, "DRAFT_TTL_HOURS"),
        ({"REPORT_KEY": "c2hvcnQ="}, "REPORT_KEY"),
        ({"REPORT_KEY": "not base64!"}, "REPORT_KEY"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        load_settings(env)


def test_blank_values_count_as_unset() -> None:
    assert load_settings({"BOT_TOKEN": "  ", "ADMIN_IDS": ""}).bot_token is None


def test_valid_report_key() -> None:
    import base64

    key = base64.b64encode(bytes(range(32))).decode()
    assert load_settings({"REPORT_KEY": key}).report_key == key


def test_secrets_are_not_in_the_settings_repr() -> None:
    """Security review L2: the dataclass repr printed the token, the webhook secret and the
    report key (settings appear in tracebacks and in Services' repr)."""
    from bot.config import Settings

    settings = Settings(bot_token="123456:SECRET-token-value-xyz",
                        webhook_secret="SECRET_webhook_value",
                        report_key="SECRETreportkeyvalue")
    text = repr(settings)
    assert "SECRET" not in text and "Settings(" in text and "data_dir" in text
    assert settings.bot_token == "123456:SECRET-token-value-xyz"


def test_retention_of_users_and_the_benchmark_switch() -> None:
    assert load_settings({}, dotenv=False).user_retention_days == 365.0
    assert load_settings({"USER_RETENTION_DAYS": "0"}, dotenv=False).user_retention_days == 0
    with pytest.raises(ConfigError, match="USER_RETENTION_DAYS"):
        load_settings({"USER_RETENTION_DAYS": "-1"}, dotenv=False)
    assert not load_settings({}, dotenv=False).benchmark_no_rate_limit
    assert load_settings({"BENCHMARK_NO_RATE_LIMIT": "1"}, dotenv=False).benchmark_no_rate_limit
