"""The openai Python SDK: create, stream, parse (pydantic), and OpenAI's documented tool loop
with the returned message appended as is (and, separately, as msg.model_dump(exclude_none=True)).

Usage: python openai_py.py <base-url> <case>   (base-url without /v1; the key from OPENAI_API_KEY)
"""
import json
import os
import sys

from openai import OpenAI
from pydantic import BaseModel

MODEL = "gpt-4.1-nano"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False},
        "strict": True,
    },
}


class Event(BaseModel):
    name: str
    date: str
    participants: list[str]


def tool_loop(client, dump):
    messages = [{"role": "user", "content": "What is the weather in Paris and in Rome?"}]
    for _ in range(3):
        completion = client.chat.completions.create(model=MODEL, messages=messages, tools=[WEATHER])
        msg = completion.choices[0].message
        messages.append(msg.model_dump(exclude_none=True) if dump else msg)
        if not msg.tool_calls:
            return completion
        for call in msg.tool_calls:
            args = json.loads(call.function.arguments)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps({"city": args["city"], "celsius": 21})})
    raise SystemExit("tool loop did not end in three turns")


def main():
    base, case = sys.argv[1], sys.argv[2]
    client = OpenAI(api_key=os.environ.get("OPENAI_API_KEY", "sk-recording-not-a-key"), base_url=f"{base}/v1", max_retries=0)
    if case == "create":
        client.chat.completions.create(model=MODEL, messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a holiday."}])
    elif case == "stream":
        for _ in client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Name a holiday."}], stream=True, stream_options={"include_usage": True}):
            pass
    elif case == "parse":
        r = client.chat.completions.parse(model=MODEL, messages=[{"role": "user", "content": "Alice and Bob go to a science fair on Friday."}], response_format=Event)
        assert r.choices[0].message.parsed is not None
    elif case == "tool-loop":
        tool_loop(client, dump=False)
    elif case == "tool-loop-model-dump":
        tool_loop(client, dump=True)
    else:
        raise SystemExit(f"unknown case {case}")
    print(f"ok {case}")


if __name__ == "__main__":
    main()
