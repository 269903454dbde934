// An MCP client that is not ours: the official TypeScript SDK, over stdio, against
// `deskhand mcp`. Prints one JSON line: the tools it lists and what a screenshot and a
// read-only command returned. Usage: node client.mjs DESKHAND_EXE
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const transport = new StdioClientTransport({ command: process.argv[2], args: ["mcp"], env: process.env });
const client = new Client({ name: "node-agent", version: "1.0.0" });
await client.connect(transport);
const tools = (await client.listTools()).tools.map((t) => ({ name: t.name, readOnly: t.annotations?.readOnlyHint }));
const shot = await client.callTool({ name: "screenshot", arguments: {} });
const shell = await client.callTool({ name: "run_shell", arguments: { command: "echo hello-from-node" } });
const blocked = await client.callTool({ name: "run_shell", arguments: { command: "sudo reboot" } });
console.log(JSON.stringify({
  tools,
  shot: { isError: !!shot.isError, types: shot.content.map((c) => c.type), text: shot.content.find((c) => c.type === "text")?.text },
  shell: { isError: !!shell.isError, text: shell.content.map((c) => c.text).join("\n") },
  blocked: { isError: !!blocked.isError, text: blocked.content.map((c) => c.text).join("\n") },
}));
await client.close();
