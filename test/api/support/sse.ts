/** One Server-Sent Event as the service sends it: a name and a JSON payload. */
export interface StreamEvent {
  event: string;
  data: any;
}

/**
 * POSTs to a streaming endpoint and reads its events as they come; `onEvent` may abort the request (as
 * a client that goes away) through `controller`.
 */
export async function readStream(
  url: string,
  body: unknown,
  options: {
    headers?: Record<string, string>;
    onEvent?: (event: StreamEvent, controller: AbortController) => void;
  } = {},
): Promise<{ status: number; contentType: string | null; events: StreamEvent[]; raw: string }> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const events: StreamEvent[] = [];
  let raw = '';
  if (!response.body) return { status: response.status, contentType: null, events, raw };
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const bytes of response.body) {
      const text = decoder.decode(bytes, { stream: true });
      raw += text;
      buffer += text;
      let boundary = buffer.indexOf('\n\n');
      while (boundary !== -1) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        boundary = buffer.indexOf('\n\n');
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = /^data: (.*)$/m.exec(block)?.[1];
        const parsed = { event, data: data === undefined ? undefined : JSON.parse(data) };
        events.push(parsed);
        options.onEvent?.(parsed, controller);
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  }
  return { status: response.status, contentType: response.headers.get('content-type'), events, raw };
}

/** The answer text the deltas of a stream make, minding resets. */
export function streamedText(events: readonly StreamEvent[]): string {
  let text = '';
  for (const { event, data } of events) {
    if (event === 'reset') text = '';
    if (event === 'delta') text += data.text;
  }
  return text;
}
