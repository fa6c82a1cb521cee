"""Answers: free-text questions and the knowledge base's articles.

``rules`` decides what a question gets (plain functions, no Telegram); ``articles`` shows
articles, topics and the feedback buttons; ``handlers`` is the thin layer for questions and
wires the feature into the Application.
"""
