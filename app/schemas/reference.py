from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from app.schemas.common import ReadModel, RegionRef


class RegionRead(ReadModel):
    code: str = Field(examples=["500115"])
    name: str = Field(examples=["长寿区"])
    name_en: str = Field(examples=["Changshou District"])
    kind: str = Field(examples=["district"])
    parent: RegionRef | None = None
    children: list[RegionRef] = Field(default_factory=list)


class IndicatorRead(ReadModel):
    code: str = Field(examples=["retail_sales"])
    name: str = Field(examples=["社会消费品零售总额"])
    name_traditional: str = Field(examples=["社會消費品零售總額"])
    name_en: str = Field(examples=["Total retail sales of consumer goods"])
    aliases: list[str] = Field(
        default_factory=list,
        examples=[["社零总额"]],
        description="other phrases the documents use for it (Simplified); `q` matches them",
    )
    unit: str = Field(examples=["亿元"])
    measure: str = Field(
        examples=["flow"], description="flow: summed over a span; level: a value at a moment"
    )
    category: str = Field(examples=["consumption"])


class FigureCounts(BaseModel):
    targets: int
    plans: int
    observations: int


class DocumentRead(ReadModel):
    code: str = Field(examples=["001_8bd53d08bbbd03ea"])
    title: str = Field(
        examples=["重庆市人民政府关于我市2023年1—6月国民经济和社会发展计划执行情况的报告"]
    )
    title_en: str
    issuer: str = Field(examples=["重庆市人民政府"])
    published_on: date
    date_note: str | None = None
    kind: str = Field(examples=["plan_execution_report"])
    script: str = Field(examples=["simplified"])
    region: RegionRef | None = Field(
        default=None,
        description="the region the document is about, as registered (null for the seeded)",
    )
    figures: FigureCounts
