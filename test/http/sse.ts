/** One Server-Sent Event: its `event` name and its `data` parsed as JSON. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/** Parses a complete `text/event-stream` body (blank-line separated events). */
export function parseSse(text: string): SseEvent[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      return { event, data: JSON.parse(data.join('\n')) as unknown };
    });
}

/** The events of a `text/event-stream` body, each as soon as its blank line has arrived. */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const end = buffer.lastIndexOf('\n\n');
    if (end < 0) continue;
    yield* parseSse(buffer.slice(0, end + 2));
    buffer = buffer.slice(end + 2);
  }
  if (buffer.trim() !== '') yield* parseSse(buffer);
}
