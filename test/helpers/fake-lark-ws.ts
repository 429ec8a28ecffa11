/**
 * A local stand-in for Lark's long-connection gateway: the endpoint discovery POST and a
 * WebSocket speaking the pbbp2 frames the SDK's WSClient expects. Loopback only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import { WebSocketServer, type WebSocket } from 'ws';

const PROTO = `
syntax = "proto2";
package pbbp2;
message Header { required string key = 1; required string value = 2; }
message Frame {
  required uint64 SeqID = 1; required uint64 LogID = 2; required int32 service = 3; required int32 method = 4;
  repeated Header headers = 5; optional string payload_encoding = 6; optional string payload_type = 7;
  optional bytes payload = 8; optional string LogIDNew = 9;
}`;
const Frame = protobuf.parse(PROTO).root.lookupType('pbbp2.Frame');

type FrameObject = { SeqID: number; LogID: number; service: number; method: number; headers: Array<{ key: string; value: string }>; payload?: Uint8Array };

const CLIENT_CONFIG = { PingInterval: 1, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 };

export interface FakeLarkWs {
  domain: string;
  connections: number;
  endpointRequests: Array<{ AppID?: string }>;
  /** Pushes an event envelope; resolves with the client's ack: its code and the decoded handler answer. */
  push(envelope: unknown): Promise<{ code: number; data?: unknown }>;
  /** Cuts every open connection, as a network failure would. */
  drop(): void;
  waitForConnection(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeLarkWs(): Promise<FakeLarkWs> {
  const sockets = new Set<WebSocket>();
  const waiting = new Map<string, (ack: { code: number; data?: unknown }) => void>();
  let seq = 1;
  const state = { connections: 0, endpointRequests: [] as Array<{ AppID?: string }> };

  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/callback/ws/endpoint') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        state.endpointRequests.push(JSON.parse(body || '{}'));
        const { port } = server.address() as AddressInfo;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ code: 0, msg: 'ok', data: { URL: `ws://127.0.0.1:${port}/ws?device_id=dev1&service_id=7&ticket=t`, ClientConfig: CLIENT_CONFIG } }));
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (socket) => {
    sockets.add(socket);
    state.connections++;
    socket.on('close', () => sockets.delete(socket));
    socket.on('message', (data: Buffer) => {
      const frame = Frame.toObject(Frame.decode(data), { longs: Number, bytes: Buffer }) as FrameObject;
      const type = frame.headers.find((h) => h.key === 'type')?.value;
      if (frame.method === 0 && type === 'ping') {
        const pong = Frame.create({ ...frame, headers: [{ key: 'type', value: 'pong' }], payload: Buffer.from(JSON.stringify(CLIENT_CONFIG)) });
        socket.send(Frame.encode(pong).finish());
        return;
      }
      if (frame.method === 1) {
        const id = frame.headers.find((h) => h.key === 'message_id')?.value ?? '';
        const ack = JSON.parse(Buffer.from(frame.payload ?? []).toString('utf8')) as { code: number; data?: string };
        waiting.get(id)?.({ code: ack.code, data: ack.data ? JSON.parse(Buffer.from(ack.data, 'base64').toString('utf8')) : undefined });
        waiting.delete(id);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    domain: `http://127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    endpointRequests: state.endpointRequests,
    push(envelope) {
      const socket = [...sockets][0];
      if (!socket) return Promise.reject(new Error('no client connected'));
      const id = `msg-${seq++}`;
      const frame = Frame.create({
        SeqID: seq,
        LogID: seq,
        service: 7,
        method: 1,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: id },
          { key: 'sum', value: '1' },
          { key: 'seq', value: '0' },
          { key: 'trace_id', value: `trace-${id}` },
        ],
        payload: Buffer.from(JSON.stringify(envelope)),
      });
      // Like Lark's gateway, send the frame again while it is not acknowledged: a frame that
      // arrives before the client has attached its handlers is otherwise lost.
      return new Promise((resolve, reject) => {
        const bytes = Frame.encode(frame).finish();
        const resend = setInterval(() => socket.send(bytes), 2000);
        const timer = setTimeout(() => {
          clearInterval(resend);
          reject(new Error('no ack within 15 s'));
        }, 15_000);
        waiting.set(id, (ack) => {
          clearTimeout(timer);
          clearInterval(resend);
          resolve(ack);
        });
        socket.send(bytes);
      });
    },
    drop() {
      for (const s of sockets) s.terminate();
    },
    async waitForConnection(count, timeoutMs = 10_000) {
      const started = Date.now();
      while (state.connections < count || sockets.size === 0) {
        if (Date.now() - started > timeoutMs) throw new Error(`expected ${count} connections, saw ${state.connections}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
