"""Proposals read from a document: one per figure, for a person to confirm."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.schemas.common import Number


class Proposal(BaseModel):
    kind: Literal["target", "plan", "observation"]
    indicator: str | None = Field(description="an indicator code matched by name or alias, or null")
    indicator_phrase: str = Field(description="the words of the sentence naming what is counted")
    region: str
    period: str | None = Field(None, description="an observation's period (2023-H1, 2022 …)")
    year: int | None = Field(None, description="a plan's year")
    start_year: int | None = Field(None, description="a target's first year")
    end_year: int | None = Field(None, description="a target's last year")
    basis: Literal["value", "yoy", "cagr", "cumulative", "change"]
    comparator: Literal[">=", ">", "<=", "<", "~"] | None = None
    value: Number | None = None
    unit: str | None = None
    yoy_growth: Number | None = None
    reported_completion_rate: Number | None = None
    baseline_year: int | None = Field(
        None, description="a goal's starting year, where the sentence states it (由2022年的…)"
    )
    baseline_value: Number | None = Field(
        None, description="a goal's starting value in the goal's unit (由2.1%提高到2.5%: 2.1)"
    )
    quote: str = Field(description="an exact substring of the text holding every number above")
    note: str = ""
    confidence: Number = Field(ge=0, le=1)


class ProposalList(BaseModel):
    items: list[Proposal]
    total: int
