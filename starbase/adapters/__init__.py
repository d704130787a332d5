"""Adapters: one class per port and technology (``<Technology><Port>``), built only by ``bootstrap``."""
