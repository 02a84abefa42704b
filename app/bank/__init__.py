"""The question bank: models, loader and schema. Never imports Textual."""

from app.bank.loader import Bank, Placement, Skill, load_bank
from app.bank.models import Question
from app.bank.problems import BankError, Problem

__all__ = ["Bank", "BankError", "Placement", "Problem", "Question", "Skill", "load_bank"]
