"""Simulators of the papers' models (torch); they know nothing about any theorem."""
