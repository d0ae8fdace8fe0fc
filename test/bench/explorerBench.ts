// Benchmark entry VS Code loads through `extensionTestsPath`, in the real extension host (like
// test/host/index.ts). scripts/bench.mjs starts it once per workbench session and reads the JSON
// this writes to $PILOT_LIGHT_BENCH_RESULT. It measures; it asserts nothing about time.
//
// Per paging (first page size / "Load more…" page size): refresh the explorer, find EC2 → Instances, then time
//   firstRowsMs  getChildren(Instances) until the first rows are there (first DescribeInstances page),
//   fullListMs   from the same start, following "Load more…" (list.loadMore(parent), then the
//                children again, as the tree does after the repaint) until no "Load more…" is left.
// Every child the tree would render gets its getTreeItem() called, as VS Code's tree view does.
// With $PILOT_LIGHT_BENCH_REPLAY_ENDPOINT (scripts/bench.mjs's replay of moto's recorded pages), once more at the
// default paging against it: replayFullListMs, listHeapMb (heap after − before the list, each after a full GC),
// and filterFirstMatchMs (a filter that matches one instance, from a fresh list to its row).

import * as fs from 'fs';
import * as inspector from 'inspector';
import * as path from 'path';
import * as vscode from 'vscode';
import type { PilotLightTestApi } from '../../src/extension';
import type { ExplorerNode, LoadMoreNode, ResourceListNode } from '../../src/features/explorer/nodes';

const EXTENSION_ID = 'pilot-light.pilot-light';
const PROXY_STATS_PATH = '/__emulator/proxy-stats';
const DESCRIBE_INSTANCES = 'ec2:DescribeInstances';

export interface ProxyOperationStats {
  count: number;
  totalMs: number;
  maxMs: number;
  durationsMs: number[];
}

/** Page sizes of one list: its first page, and each "Load more…" after it. */
export interface Paging {
  first: number;
  more: number;
}

export interface ListMeasurement {
  /** `first/more`, as given to the bench. */
  paging: string;
  pageSize: number;
  loadMorePageSize: number;
  firstRowsMs: number;
  firstRows: number;
  fullListMs: number;
  rows: number;
  loadMoreClicks: number;
  /** PagedList.apiCalls of the Instances list. */
  apiCalls: number;
  /** DescribeInstances requests the emulator gateway passed to moto while the list loaded. */
  describeInstancesReceived?: number;
  /** Time moto took for those requests (gateway: request in → last byte of moto's answer). */
  motoMsPerPage?: number[];
  motoTotalMs?: number;
  /** The first page's moto time, the part of firstRowsMs spent in the emulator. */
  motoFirstPageMs?: number;
  heapUsedMb: number;
  rssMb: number;
  /** Live-refresh timers the list started (transitional instances); they would add DescribeInstances calls. */
  watchedTransitional: number;
  explorerViewVisible: boolean;
}

/**
 * Where activationMs goes, from the extension host's own performance marks (Date.now() resolution):
 * VS Code marks code/extHost/{will,did}LoadExtensionCode and {will,did}ActivateExtension per extension.
 */
export interface ActivationBreakdown {
  /** willLoadExtensionCode → didLoadExtensionCode: the host require()s the bundle (our module evaluation inside). */
  hostLoadCodeMs?: number;
  /** didLoadExtensionCode → willActivateExtension: the host prepares the ExtensionContext (global/workspace state, secrets) before calling activate(). */
  hostContextWaitMs?: number;
  /** willActivateExtension → didActivateExtension: our activate() as the host sees it. */
  hostActivateCallMs?: number;
  /** willLoadExtensionCode → didActivateExtension: the whole activation as the host sees it. */
  hostActivationSpanMs?: number;
}

export interface ReplayMeasurement {
  endpoint: string;
  paging: string;
  replayFullListMs: number;
  rows: number;
  apiCalls: number;
  /** heapUsed after − before the full list, both right after a full GC. */
  listHeapMb: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  /** How the GC was forced. */
  gc: string;
  filter: string;
  filterFirstMatchMs: number;
  /** Resource rows shown for the filter, and their names. */
  filterRows: number;
  filterRowNames: string[];
  filterApiCalls: number;
  /** The Instances folder's description while the filter was on (says where the filter applied). */
  filterListDescription: string;
}

export interface ExplorerBenchResult {
  ok: boolean;
  error?: string;
  wasActiveBeforeBench?: boolean;
  activateMs?: number;
  /** activate()'s second step, in the next task (api.activationDeferredMs). */
  activateDeferredMs?: number;
  activation?: ActivationBreakdown;
  nodeVersion: string;
  lists: ListMeasurement[];
  replay?: ReplayMeasurement;
}

const label = (node: ExplorerNode): string => {
  const treeLabel = node.getTreeItem().label;
  return typeof treeLabel === 'string' ? treeLabel : (treeLabel?.label ?? '');
};
// The extension runs from its bundle, so its classes are not the ones compiled here: check by shape.
const isLoadMore = (node: ExplorerNode | undefined): node is LoadMoreNode =>
  node?.getTreeItem().contextValue === 'pilotLight.loadMore';
const isResource = (node: ExplorerNode): boolean => 'resource' in node;
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** What VS Code's tree view does with children: one TreeItem per row. */
function render(rows: ExplorerNode[]): void {
  for (const row of rows) row.getTreeItem();
}

async function child(
  explorer: PilotLightTestApi['explorer'],
  parent: ExplorerNode | undefined,
  name: string,
): Promise<ExplorerNode> {
  const nodes = (await explorer.getChildren(parent)) as ExplorerNode[];
  const found = parent ? nodes.find((node) => label(node) === name) : nodes[0];
  if (!found)
    throw new Error(
      `"${name}" not found under ${parent ? `"${label(parent)}"` : 'the root'}; found: ${nodes.map(label).join(', ')}`,
    );
  return found;
}

async function proxyStats(
  endpoint: string | undefined,
  method: 'GET' | 'DELETE',
): Promise<ProxyOperationStats | undefined> {
  if (!endpoint) return undefined;
  const response = await fetch(new URL(PROXY_STATS_PATH, endpoint), { method });
  if (!response.ok) throw new Error(`${method} ${PROXY_STATS_PATH}: HTTP ${response.status}`);
  const stats = (await response.json()) as { operations: Record<string, ProxyOperationStats> };
  return stats.operations[DESCRIBE_INSTANCES] ?? { count: 0, totalMs: 0, maxMs: 0, durationsMs: [] };
}

/** With $PILOT_LIGHT_BENCH_CPU_PROFILE (a folder), a V8 CPU profile of the extension host per list. */
async function cpuProfiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  const folder = process.env.PILOT_LIGHT_BENCH_CPU_PROFILE;
  if (!folder) return work();
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<any>((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await post('Profiler.stop');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

const PAGING_SETTINGS = { first: 'pageSize', more: 'loadMorePageSize' } as const;

/** Default sizes come from the settings' defaults; others are set in the user settings, as a user would. */
async function usePaging(paging: Paging | undefined): Promise<void> {
  const settings = vscode.workspace.getConfiguration('pilotLight.explorer');
  for (const [page, key] of Object.entries(PAGING_SETTINGS) as [keyof Paging, string][]) {
    const wanted = paging?.[page];
    const isDefault = wanted === settings.inspect<number>(key)?.defaultValue;
    await settings.update(key, isDefault ? undefined : wanted, vscode.ConfigurationTarget.Global);
  }
}

async function measureList(
  api: PilotLightTestApi,
  paging: Paging,
  expectedRows: number,
  region: string,
  endpoint: string | undefined,
): Promise<ListMeasurement> {
  const { explorer } = api;
  await usePaging(paging);
  const [pageSize, loadMorePageSize] = [explorer.pageSize('first'), explorer.pageSize('more')];
  if (pageSize !== paging.first || loadMorePageSize !== paging.more) {
    throw new Error(
      `the explorer reads page sizes ${pageSize}/${loadMorePageSize}, expected ${paging.first}/${paging.more}`,
    );
  }

  explorer.refresh(); // fresh: no list, no page cached
  const profile = await child(explorer, undefined, '(profile)');
  const regionNode = await child(explorer, profile, region);
  const ec2 = await child(explorer, regionNode, 'EC2');
  const instances = (await child(explorer, ec2, 'Instances')) as ResourceListNode;
  await proxyStats(endpoint, 'DELETE');
  const watchedBefore = explorer.watchedCount;

  const started = performance.now();
  let rows = (await explorer.getChildren(instances)) as ExplorerNode[];
  render(rows);
  const firstRowsMs = performance.now() - started;
  const firstRows = rows.filter(isResource).length;
  const maxClicks = Math.ceil(expectedRows / Math.min(pageSize, loadMorePageSize)) + 5;
  let clicks = 0;
  for (let last = rows.at(-1); isLoadMore(last); last = rows.at(-1)) {
    if (++clicks > maxClicks)
      throw new Error(`still a "Load more…" after ${maxClicks} clicks (${rows.filter(isResource).length} rows)`);
    await last.list.loadMore(last.parent!);
    rows = (await explorer.getChildren(instances)) as ExplorerNode[];
    render(rows);
  }
  const fullListMs = performance.now() - started;

  const received = await proxyStats(endpoint, 'GET');
  const memory = process.memoryUsage();
  const measurement: ListMeasurement = {
    paging: `${pageSize}/${loadMorePageSize}`,
    pageSize,
    loadMorePageSize,
    firstRowsMs,
    firstRows,
    fullListMs,
    rows: rows.filter(isResource).length,
    loadMoreClicks: clicks,
    apiCalls: instances.list.apiCalls,
    ...(received
      ? {
          describeInstancesReceived: received.count,
          motoMsPerPage: received.durationsMs,
          motoTotalMs: received.totalMs,
          motoFirstPageMs: received.durationsMs[0],
        }
      : {}),
    heapUsedMb: mb(memory.heapUsed),
    rssMb: mb(memory.rss),
    watchedTransitional: explorer.watchedCount - watchedBefore,
    explorerViewVisible: api.explorerView.visible,
  };
  if (measurement.rows !== expectedRows)
    throw new Error(
      `the full list has ${measurement.rows} instances, expected ${expectedRows}: ${JSON.stringify(measurement)}`,
    );
  return measurement;
}

/** A full GC: global.gc when the host exposes it, else V8's own through the inspector protocol. */
async function collectGarbage(): Promise<string> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') {
    gc();
    return 'global.gc()';
  }
  const session = new inspector.Session();
  session.connect();
  try {
    await new Promise<void>((resolve, reject) =>
      session.post('HeapProfiler.collectGarbage', (error) => (error ? reject(error) : resolve())),
    );
  } finally {
    session.disconnect();
  }
  return 'inspector HeapProfiler.collectGarbage';
}

async function instancesNode(explorer: PilotLightTestApi['explorer'], region: string): Promise<ResourceListNode> {
  explorer.refresh();
  const profile = await child(explorer, undefined, '(profile)');
  const regionNode = await child(explorer, profile, region);
  const ec2 = await child(explorer, regionNode, 'EC2');
  return (await child(explorer, ec2, 'Instances')) as ResourceListNode;
}

/** The default paging against the replay endpoint: full list with its heap, then a filter's first match. */
async function measureReplay(
  api: PilotLightTestApi,
  paging: Paging,
  expectedRows: number,
  region: string,
  endpoint: string,
  filter: string,
): Promise<ReplayMeasurement> {
  const { explorer } = api;
  const connectionSettings = vscode.workspace.getConfiguration('pilotLight');
  const previous = connectionSettings.inspect<Record<string, string>>('serviceEndpoints')?.globalValue;
  await connectionSettings.update(
    'serviceEndpoints',
    { ...(previous ?? {}), ec2: endpoint },
    vscode.ConfigurationTarget.Global,
  );
  try {
    await usePaging(paging);
    let instances = await instancesNode(explorer, region);
    const gc = await collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    let rows = (await explorer.getChildren(instances)) as ExplorerNode[];
    render(rows);
    for (let last = rows.at(-1), clicks = 0; isLoadMore(last); last = rows.at(-1)) {
      if (++clicks > expectedRows) throw new Error('the replayed list does not end');
      await last.list.loadMore(last.parent!);
      rows = (await explorer.getChildren(instances)) as ExplorerNode[];
      render(rows);
    }
    const replayFullListMs = performance.now() - started;
    const loaded = rows.filter(isResource).length;
    const apiCalls = instances.list.apiCalls;
    rows = [];
    await collectGarbage();
    const heapAfter = process.memoryUsage().heapUsed;
    if (loaded !== expectedRows) throw new Error(`the replayed list has ${loaded} instances, expected ${expectedRows}`);
    if (instances.list.loadedCount !== expectedRows)
      throw new Error('the list was not retained while its heap was measured');

    // A fresh list, then the filter: the time until its first matching row is there.
    instances = await instancesNode(explorer, region);
    const filterStarted = performance.now();
    explorer.setFilter(filter);
    const filtered = (await explorer.getChildren(instances)) as ExplorerNode[];
    render(filtered);
    const filterFirstMatchMs = performance.now() - filterStarted;
    const matches = filtered.filter(isResource);
    const filterListDescription = String(instances.getTreeItem().description ?? '');
    explorer.setFilter('');
    if (!matches.length)
      throw new Error(`the filter "${filter}" showed no instance: ${filtered.map(label).join(', ')}`);
    return {
      endpoint,
      paging: `${paging.first}/${paging.more}`,
      replayFullListMs,
      rows: loaded,
      apiCalls,
      listHeapMb: mb(heapAfter - heapBefore),
      heapBeforeMb: mb(heapBefore),
      heapAfterMb: mb(heapAfter),
      gc,
      filter,
      filterFirstMatchMs,
      filterRows: matches.length,
      filterRowNames: matches.map(label).slice(0, 5),
      filterApiCalls: instances.list.apiCalls,
      filterListDescription,
    };
  } finally {
    explorer.setFilter('');
    await connectionSettings.update('serviceEndpoints', previous, vscode.ConfigurationTarget.Global);
  }
}

function activationBreakdown(): ActivationBreakdown {
  const marks =
    (
      globalThis as { MonacoPerformanceMarks?: { getMarks(): { name: string; startTime: number }[] } }
    ).MonacoPerformanceMarks?.getMarks() ?? [];
  const at = (what: string) => marks.find((mark) => mark.name === `code/extHost/${what}/${EXTENSION_ID}`)?.startTime;
  const span = (from: string, to: string) => {
    const [start, end] = [at(from), at(to)];
    return start !== undefined && end !== undefined ? end - start : undefined;
  };
  return {
    hostLoadCodeMs: span('willLoadExtensionCode', 'didLoadExtensionCode'),
    hostContextWaitMs: span('didLoadExtensionCode', 'willActivateExtension'),
    hostActivateCallMs: span('willActivateExtension', 'didActivateExtension'),
    hostActivationSpanMs: span('willLoadExtensionCode', 'didActivateExtension'),
  };
}

export async function run(): Promise<void> {
  const resultFile = process.env.PILOT_LIGHT_BENCH_RESULT;
  if (!resultFile) throw new Error('PILOT_LIGHT_BENCH_RESULT (where to write the result) is not set');
  // scripts/bench.mjs parses and checks --pagings, and passes them as JSON.
  const pagings = JSON.parse(process.env.PILOT_LIGHT_BENCH_PAGINGS ?? '[{"first":100,"more":1000}]') as Paging[];
  const expectedRows = Number(process.env.PILOT_LIGHT_BENCH_INSTANCES ?? '5000');
  const region = process.env.PILOT_LIGHT_BENCH_REGION ?? 'us-east-1';
  const endpoint = process.env.PILOT_LIGHT_TEST_ENDPOINT;
  const result: ExplorerBenchResult = { ok: false, nodeVersion: process.version, lists: [] };
  try {
    const extension = vscode.extensions.getExtension<PilotLightTestApi>(EXTENSION_ID);
    if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this workbench`);
    result.wasActiveBeforeBench = extension.isActive;
    const api = await extension.activate();
    if (!api.explorer)
      throw new Error('the explorer is only exposed in extension mode Test (run the bench as extension tests)');
    result.activateMs = api.activationMs;
    result.activateDeferredMs = api.activationDeferredMs;
    result.activation = activationBreakdown();
    // Let the freshly started extension host settle (built-in extensions activate around startup).
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.PILOT_LIGHT_BENCH_SETTLE_MS ?? '0')));
    for (const paging of pagings) {
      result.lists.push(
        await cpuProfiled(`list-${paging.first}-${paging.more}-${process.pid}`, () =>
          measureList(api, paging, expectedRows, region, endpoint),
        ),
      );
    }
    const replayEndpoint = process.env.PILOT_LIGHT_BENCH_REPLAY_ENDPOINT;
    if (replayEndpoint) {
      result.replay = await measureReplay(
        api,
        pagings[0],
        expectedRows,
        region,
        replayEndpoint,
        process.env.PILOT_LIGHT_BENCH_FILTER ?? '',
      );
    }
    result.ok = true;
  } catch (error) {
    result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  } finally {
    await usePaging(undefined).catch(() => undefined);
    fs.writeFileSync(resultFile, JSON.stringify(result, null, 2));
  }
  if (!result.ok) throw new Error(result.error);
}
