"""Outputs for people: the text of ``solve``, charts (matplotlib), the HTML/Markdown/JSON report.

The top layer of the library: may import every other room of ``negotiate``.
"""
