"""Chat information: getChat and getChatMember (enough for the bot's needs)."""

from __future__ import annotations

from typing import Any

from bot.fakeapi.errors import bad_request
from bot.fakeapi.models import FakeChat, JsonDict
from bot.fakeapi.params import Params
from bot.fakeapi.registry import api_method
from bot.fakeapi.state import FakeState

_ADMIN_RIGHTS = {
    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
    "can_delete_messages": True, "can_manage_video_chats": True, "can_restrict_members": True,
    "can_promote_members": False, "can_change_info": True, "can_invite_users": True,
    "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False,
    "can_pin_messages": True,
}
_RESTRICTED_RIGHTS = {
    "is_member": True, "can_change_info": False, "can_invite_users": False,
    "can_pin_messages": False, "can_send_messages": False, "can_send_polls": False,
    "can_send_other_messages": False, "can_add_web_page_previews": False,
    "can_manage_topics": False, "until_date": 0, "can_send_audios": False,
    "can_send_documents": False, "can_send_photos": False, "can_send_videos": False,
    "can_send_video_notes": False, "can_send_voice_notes": False, "can_edit_tag": False,
}
_GIFTS = {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
          "premium_subscription": False, "gifts_from_channels": False}


def chat_member(user: JsonDict, status: str) -> JsonDict:
    """A ChatMember object with the fields PTB requires for ``status``."""
    member: JsonDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(_ADMIN_RIGHTS)
    elif status == "restricted":
        member.update(_RESTRICTED_RIGHTS)
    elif status == "kicked":
        member["until_date"] = 0
    return member


def _known_chat(state: FakeState, p: Params) -> FakeChat:
    chat_id = state.resolve_chat_id(p.chat_id())
    chat = state.chats.get(chat_id)
    if chat is None and chat_id in state.users:
        user = state.users[chat_id]
        return FakeChat(chat_id, "private", username=user.username, first_name=user.first_name,
                        last_name=user.last_name)
    if chat is None:
        raise bad_request("chat not found")
    return chat


@api_method("getChat")
async def get_chat(state: FakeState, p: Params) -> Any:
    chat = _known_chat(state, p)
    return {**chat.to_api(), "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": dict(_GIFTS)}


@api_method("getChatMember")
async def get_chat_member(state: FakeState, p: Params) -> Any:
    chat = _known_chat(state, p)
    user_id = p.get_int("user_id", required=True)
    if user_id == state.bot_id:
        return chat_member(dict(state.bot_user), chat.members.get(state.bot_id, "member"))
    user = state.users.get(user_id or 0)
    if user is None or (chat.type == "private" and user_id != chat.id):
        raise bad_request("user not found")
    default = "member" if chat.type == "private" else "left"
    return chat_member(user.to_api(), chat.members.get(user.id, default))
