"""Bot-level methods: getMe, logOut/close, commands, menu button, name and descriptions."""

from __future__ import annotations

from typing import Any

from bot.fakeapi import validation
from bot.fakeapi.errors import bad_request
from bot.fakeapi.params import Params
from bot.fakeapi.registry import api_method
from bot.fakeapi.state import FakeState

# method suffix -> (result field, maximum length)
_BOT_TEXTS = {
    "Description": ("description", 512),
    "ShortDescription": ("short_description", 120),
    "Name": ("name", 64),
}


@api_method("getMe")
async def get_me(state: FakeState, p: Params) -> Any:
    return {
        **state.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api_method("logOut", "close")
async def log_out(state: FakeState, p: Params) -> Any:
    return True


def _commands_key(state: FakeState, p: Params) -> tuple[str, str]:
    scope_key, scope = validation.command_scope(p.get_json("scope", what="BotCommandScope"))
    if "chat_id" in scope and state.chats.get(state.resolve_chat_id(scope["chat_id"])) is None:
        raise bad_request("chat not found")  # a chat scope needs a chat the bot knows
    return scope_key, validation.language_code(p.get_str("language_code"))


@api_method("setMyCommands")
async def set_my_commands(state: FakeState, p: Params) -> Any:
    if not p.has("commands"):
        raise bad_request('parameter "commands" is required')
    commands = validation.bot_commands(p.get_json("commands"))
    state.commands[_commands_key(state, p)] = commands
    return True


@api_method("getMyCommands")
async def get_my_commands(state: FakeState, p: Params) -> Any:
    return state.commands.get(_commands_key(state, p), [])


@api_method("deleteMyCommands")
async def delete_my_commands(state: FakeState, p: Params) -> Any:
    state.commands.pop(_commands_key(state, p), None)
    return True


def _set_bot_text(kind: str) -> Any:
    field, limit = _BOT_TEXTS[kind]

    async def handler(state: FakeState, p: Params) -> Any:
        value = p.get_str(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field.replace('_', ' ')} is too long")  # approximate
        key = (field, validation.language_code(p.get_str("language_code")))
        if value:
            state.bot_texts[key] = value
        else:
            state.bot_texts.pop(key, None)
        return True

    return handler


def _get_bot_text(kind: str) -> Any:
    field, _ = _BOT_TEXTS[kind]

    async def handler(state: FakeState, p: Params) -> Any:
        key = (field, validation.language_code(p.get_str("language_code")))
        return {field: state.bot_texts.get(key, "")}

    return handler


for _kind in _BOT_TEXTS:
    api_method(f"setMy{_kind}")(_set_bot_text(_kind))
    api_method(f"getMy{_kind}")(_get_bot_text(_kind))


@api_method("setChatMenuButton")
async def set_chat_menu_button(state: FakeState, p: Params) -> Any:
    button = p.get_json("menu_button", what="menu button") or {"type": "default"}
    kind = button.get("type") if isinstance(button, dict) else None
    if kind not in ("default", "commands", "web_app"):
        raise bad_request("can't parse menu button JSON object")  # approximate
    if kind == "web_app":
        url = (button.get("web_app") or {}).get("url", "")
        if not button.get("text") or not str(url).startswith("https://"):
            raise bad_request("menu button Web App URL is invalid: Only HTTPS links are allowed")
    state.menu_buttons[p.get_int("chat_id")] = button
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(state: FakeState, p: Params) -> Any:
    chat_id = p.get_int("chat_id")
    return state.menu_buttons.get(chat_id) or state.menu_buttons.get(None) or {"type": "default"}
