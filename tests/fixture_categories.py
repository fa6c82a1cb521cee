"""The categories of the small knowledge bases that tests write to tmp_path."""

CATEGORIES = """
[[category]]
id = "entry"
icon = "🛂"
title = { tg = "Воридшавӣ", ru = "Въезд", en = "Entry" }

[[category]]
id = "stay"
icon = "🏠"
title = { tg = "Будубош", ru = "Пребывание", en = "Stay" }

[[category]]
id = "work"
icon = "💼"
title = { tg = "Кор", ru = "Работа", en = "Work" }

[[category]]
id = "rights"
icon = "⚖️"
title = { tg = "Ҳуқуқҳо", ru = "Права", en = "Rights" }

[[category]]
id = "help"
icon = "🆘"
title = { tg = "Кӯмак", ru = "Помощь", en = "Help" }
"""
