"""`newsflow eval`: score the pipeline's entities and topics against gold-annotated articles."""

from pipeline.evaluate.gold import GoldArticle, GoldError, load_gold
from pipeline.evaluate.report import EvalReport, render, report_json
from pipeline.evaluate.runner import run_eval
from pipeline.evaluate.surface import surface_key

__all__ = [
    "EvalReport",
    "GoldArticle",
    "GoldError",
    "load_gold",
    "render",
    "report_json",
    "run_eval",
    "surface_key",
]
