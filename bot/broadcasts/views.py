"""What the owner sees while writing and sending a broadcast: texts and buttons, in the
owner's language. Plain functions of their data and a translator."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.broadcasts.rules import (
    LANGUAGES,
    MAX_CHARS,
    Draft,
    TextCheck,
    audience_size,
    check_text,
    duration_parts,
)
from bot.callbacks import pack
from bot.i18n import LANGUAGE_FLAGS, LANGUAGE_NAMES, Translator
from bot.storage.broadcasts import (
    BLOCKED,
    CANCELLED,
    CLAIMED,
    DONE,
    EVERYONE,
    FAILED,
    PAUSED,
    PENDING,
    PREPARING,
    SENDING,
    SENT,
    SKIPPED,
    UNKNOWN,
)

NAMESPACE = "bc"  # every broadcast button's callback data starts with this
STOPPING = "stopping"  # a progress state that is not stored: the bot is shutting down


def data(*args: str) -> str:
    return pack(NAMESPACE, *args)


def _button(text: str, *args: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data(*args))


def language_label(language: str) -> str:
    """Languages are shown in themselves, with their flag: the same in every interface."""
    return f"{LANGUAGE_FLAGS[language]} {LANGUAGE_NAMES[language]}"


def duration_text(seconds: float, tr: Translator) -> str:
    hours, minutes, secs = duration_parts(seconds)
    if hours:
        return tr.gettext("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    if minutes:
        return tr.gettext("{minutes} min {seconds} s").format(minutes=minutes, seconds=secs)
    return tr.gettext("{seconds} s").format(seconds=secs)


def audience_text(audience: str, tr: Translator) -> str:
    if audience == EVERYONE:
        return tr.gettext("everyone")
    return tr.gettext("users of {language}").format(language=language_label(audience))


# --- writing ----------------------------------------------------------------------------------

def draft_screen(draft: Draft, tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    _ = tr.gettext
    lines = ["📣 <b>" + _("New announcement") + "</b>",
             _("Write it in Tajik, Russian and English, or only in some of them: the other "
               "languages then get the fallback text. It is sent exactly as you write it. "
               "Formatting made in Telegram (bold, italic, links) is kept, or write HTML "
               "tags such as &lt;b&gt;bold&lt;/b&gt;."),
             ""]
    fallback = draft.effective_fallback
    for lang in LANGUAGES:
        if lang in draft.texts:
            count = check_text(draft.texts[lang]).length
            lines.append(tr.ngettext("{language}: written, {count} character",
                                     "{language}: written, {count} characters", count)
                         .format(language=language_label(lang), count=count))
        else:
            lines.append(_("{language}: not written, gets the fallback text")
                         .format(language=language_label(lang)))
    if fallback is not None:
        lines += ["", _("Fallback: {language}. Users who have not chosen a language get it too.")
                  .format(language=language_label(fallback))]
    rows = [[_button("✏️ " + language_label(lang), "w", lang)] for lang in LANGUAGES]
    others = [lang for lang in draft.written if lang != fallback]
    rows += [[_button(_("Use {language} as the fallback").format(
        language=language_label(lang)), "fb", lang)] for lang in others]
    if draft.texts:
        rows.append([_button("👁 " + _("Preview"), "pv")])
    rows.append([_button("✖️ " + _("Discard the draft"), "x")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def write_prompt(language: str, tr: Translator) -> str:
    return tr.gettext("Send the announcement in {language} as one message. /cancel to stop.") \
        .format(language=language_label(language))


def text_problem(check: TextCheck, tr: Translator) -> str:
    _ = tr.gettext
    if check.problem == "html":
        return _("This is not valid Telegram HTML: {error}\nClose every tag you open, and write "
                 "the characters &lt; &gt; &amp; as &amp;lt; &amp;gt; &amp;amp;. Then send "
                 "the text again.").format(error="<code>" + html.escape(check.detail) + "</code>")
    if check.problem == "too_long":
        return _("This announcement is {count} characters long; Telegram allows at most "
                 "{limit} in one message. Please shorten it and send it again.").format(
                     count=check.length, limit=MAX_CHARS)
    return _("The announcement is empty. Please send its text.")


# --- preview and audience -------------------------------------------------------------------

def preview_screen(draft: Draft, sizes: Mapping[str | None, int],
                   tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    _ = tr.gettext
    fallback = draft.effective_fallback
    assert fallback is not None
    lines = ["⬆️ " + _("This is the preview: the three messages above are exactly what users "
                      "receive, in Tajik, Russian and English.")]
    if draft.missing:
        lines.append(_("{languages}: these users get the {language} text.").format(
            languages=", ".join(language_label(lang) for lang in draft.missing),
            language=language_label(fallback)))
    lines.append(_("Users who have not chosen a language get the {language} text.").format(
        language=language_label(fallback)))
    lines += ["", "<b>" + _("Who should receive it?") + "</b>"]
    everyone = audience_size(sizes, EVERYONE)
    rows = [[_button("👥 " + _("Everyone ({count})").format(count=everyone), "a", EVERYONE)]]
    rows.append([_button(f"{language_label(lang)} ({audience_size(sizes, lang)})", "a", lang)
                 for lang in LANGUAGES])
    rows.append([_button("✏️ " + _("Edit"), "ed"),
                 _button("✖️ " + _("Discard the draft"), "x")])
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def confirm_screen(audience: str, count: int, rate: float,
                   tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    _ = tr.gettext
    back = _button("⬅️ " + _("Back"), "au")
    if count == 0:
        return (_("Nobody would receive it: there are no reachable users in this audience."),
                InlineKeyboardMarkup([[back]]))
    lines = [
        tr.ngettext("Send the announcement to {audience}: {count} user?",
                    "Send the announcement to {audience}: {count} users?", count).format(
                        audience=audience_text(audience, tr), count=count),
        _("It goes out at about {rate} messages per second and takes about {duration}. Each "
          "user receives it once, in their language. You can pause or cancel it while it is "
          "sent.").format(rate=int(rate), duration=duration_text(count / rate, tr)),
    ]
    send = _button("✅ " + tr.ngettext("Send to {count} user", "Send to {count} users",
                                       count).format(count=count), "go", audience)
    return "\n".join(lines), InlineKeyboardMarkup([[send], [back]])


# --- sending ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Progress:
    broadcast_id: int
    state: str  # preparing, sending, paused, stopping, done, cancelled
    counts: Mapping[str, int] = field(default_factory=dict)
    audience: str = EVERYONE
    eta: float | None = None  # seconds

    def count(self, status: str) -> int:
        return int(self.counts.get(status, 0))

    @property
    def total(self) -> int:
        return sum(int(value) for value in self.counts.values())

    @property
    def left(self) -> int:
        return self.count(PENDING) + self.count(CLAIMED)


def progress_screen(progress: Progress,
                    tr: Translator) -> tuple[str, InlineKeyboardMarkup | None]:
    _ = tr.gettext
    number = f"#{progress.broadcast_id}"
    titles: dict[str, Callable[[], str]] = {
        PREPARING: lambda: _("📣 <b>Broadcast {number}</b>: listing the recipients…"),
        SENDING: lambda: _("📣 <b>Broadcast {number}</b>: sending…"),
        PAUSED: lambda: _("⏸ <b>Broadcast {number}</b>: paused"),
        STOPPING: lambda: _("⏸ <b>Broadcast {number}</b>: the bot is restarting; sending "
                            "continues when it is back"),
        DONE: lambda: _("✅ <b>Broadcast {number}</b>: finished"),
        CANCELLED: lambda: _("✖️ <b>Broadcast {number}</b>: cancelled"),
    }
    lines = [titles.get(progress.state, titles[SENDING])().format(number=number)]
    if progress.state != PREPARING:  # while listing, the number is not known yet
        lines.append(tr.ngettext("To {audience}: {count} user", "To {audience}: {count} users",
                                 progress.total).format(
                                     audience=audience_text(progress.audience, tr),
                                     count=progress.total))
        lines += [
            "✅ " + _("Sent: {count}").format(count=progress.count(SENT)),
            "⚠️ " + _("Failed: {count}").format(count=progress.count(FAILED)),
            "🚫 " + _("Blocked the bot: {count}").format(count=progress.count(BLOCKED)),
        ]
        if progress.count(SKIPPED):
            lines.append("⏭ " + _("Skipped (blocked, banned or deleted their data meanwhile): "
                                  "{count}").format(count=progress.count(SKIPPED)))
        if progress.state == CANCELLED:
            lines.append("⏹ " + _("Not sent (cancelled): {count}").format(count=progress.left))
        elif progress.state != DONE:
            left = "⏳ " + _("Left: {count}").format(count=progress.left)
            if progress.state == SENDING and progress.eta is not None and progress.left:
                left += " · " + _("about {duration} more").format(
                    duration=duration_text(progress.eta, tr))
            lines.append(left)
        if progress.count(UNKNOWN):
            lines += ["❔ " + _("Unknown: {count}").format(count=progress.count(UNKNOWN)),
                      _("The bot could not tell whether these users received it: it stopped "
                        "abruptly while sending to them, or Telegram did not answer in time. "
                        "They were not sent it again, so that nobody gets it twice.")]
    return "\n".join(lines), progress_keyboard(progress, tr)


def progress_keyboard(progress: Progress, tr: Translator) -> InlineKeyboardMarkup | None:
    _ = tr.gettext
    number = str(progress.broadcast_id)
    cancel = _button("✖️ " + _("Cancel the broadcast"), "s", number)
    if progress.state == SENDING:
        return InlineKeyboardMarkup([[_button("⏸ " + _("Pause"), "p", number), cancel]])
    if progress.state == PREPARING:
        return InlineKeyboardMarkup([[cancel]])
    if progress.state == PAUSED:
        return InlineKeyboardMarkup([[_button("▶️ " + _("Resume"), "r", number), cancel]])
    return None


def cancel_question(broadcast_id: int, tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    _ = tr.gettext
    number = str(broadcast_id)
    text = _("Cancel broadcast {number}? Users who have received it keep it; nobody else will "
             "get it.").format(number=f"#{broadcast_id}")
    return text, InlineKeyboardMarkup([
        [_button(_("Yes, cancel it"), "sy", number)],
        [_button(_("No, keep sending"), "sn", number)],
    ])
