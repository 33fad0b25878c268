"""What every answer shares: a headline said first, the same facts as text, and a compact JSON form.

An answer is a pydantic model: its JSON schema is the tool's `outputSchema` and its compact dump the
`structuredContent`. `text()` renders the same facts for clients that show only text. Answers read through the
response cache (`CachedAnswer`) also say how old their data is.
"""

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

__all__ = ["DATA_AGE_DESCRIPTION", "Answer", "AnswerPart", "CacheAge", "CachedAnswer", "compact_json"]

DATA_AGE_DESCRIPTION = "Only when (part of) this came from the cache: its age in seconds; refresh=true for fresh data"


def compact_json(model: BaseModel) -> dict[str, Any]:
    """The structured form sent to clients: JSON-ready, absent facts left out rather than sent as null."""
    return model.model_dump(mode="json", exclude_none=True)


class AnswerPart(BaseModel):
    """Base of every model in an answer.

    Start-up is on the path to the first tools/list, which needs none of these validators (the output schemas ship
    ready in `tools/output_schemas.json`): each is built at its first answer instead (defer_build). The modules that
    define answers also leave out `from __future__ import annotations`, so pydantic and the SDK read real objects
    rather than compiling every annotation string at import.
    """

    model_config = ConfigDict(defer_build=True)


class CacheAge(AnswerPart):
    """A part of an answer that may have come from the response cache."""

    data_age_seconds: int | None = Field(None, description=DATA_AGE_DESCRIPTION)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # The age is the least important fact of any answer: list it last in the schema, as clients have seen it.
        schema = handler(core_schema)
        properties = handler.resolve_ref_schema(schema).get("properties", {})
        if "data_age_seconds" in properties:
            properties["data_age_seconds"] = properties.pop("data_age_seconds")
        return schema


class Answer(AnswerPart):
    """Base of every tool answer."""

    if TYPE_CHECKING:
        headline: str  # each answer declares it as its first field (or derives it), to say first

    def text(self) -> str:
        """The same facts as plain text, the headline first."""
        raise NotImplementedError

    def structured(self) -> dict[str, Any]:
        return compact_json(self)


class CachedAnswer(CacheAge, Answer):
    """An answer read (partly) through the response cache."""

    def text_with_age(self) -> str:
        text = self.text()
        if self.data_age_seconds is not None:
            text += (
                f"\n(From the cache: data {self.data_age_seconds} s old; call again with refresh=true for fresh data.)"
            )
        return text
