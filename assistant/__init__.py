"""Answering: retrieval, claims and disputes, the answer, the conversation."""

from assistant.api import Assistant
from assistant.conversation import Conversation
from assistant.errors import AssistantError
from assistant.records import Agreement, Answer, Citation, Dispute, Side, Source, SourceInfo
from assistant.retrieval import Hit
from index.library import IngestReport

__all__ = ["Agreement", "Answer", "Assistant", "AssistantError", "Citation", "Conversation",
           "Dispute", "Hit", "IngestReport", "Side", "Source", "SourceInfo"]
