"""Stardeck: Starform's dashboard and Mission Control, a Reflex app whose state handlers call Starbase
use cases. It never imports Shuttle; its only link to Shuttle is Starbase's HTTP API."""
