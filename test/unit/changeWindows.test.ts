import * as assert from 'node:assert/strict';
import {
  checkChangeWindows,
  isWindowOpen,
  localTime,
  resolveGuardrailPolicy,
  type GuardrailPolicy,
} from '../../src/core/guardrails';

function policyWith(windows: unknown[], fileWindows?: unknown[]): GuardrailPolicy {
  return resolveGuardrailPolicy({
    settings: { changeWindows: windows, protectedEnvironments: ['prod'] },
    workspaceFile: fileWindows
      ? { path: 'guardrails.json', text: JSON.stringify({ changeWindows: fileWindows }) }
      : undefined,
  }).policy;
}

const weekdayBerlin = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  start: '09:00',
  end: '17:00',
  timeZone: 'Europe/Berlin',
};

describe('change windows', () => {
  it('reads local weekday and time in any IANA zone', () => {
    const instant = new Date('2025-01-06T23:30:00Z'); // Monday in UTC
    assert.deepEqual(localTime(instant, 'UTC'), { weekday: 'mon', minutes: 23 * 60 + 30 });
    assert.deepEqual(localTime(instant, 'Asia/Tokyo'), { weekday: 'tue', minutes: 8 * 60 + 30 });
    assert.deepEqual(localTime(instant, 'America/Los_Angeles'), { weekday: 'mon', minutes: 15 * 60 + 30 });
  });

  it('judges the same instant open in one zone and closed in another', () => {
    const instant = new Date('2025-01-06T08:30:00Z'); // 09:30 in Berlin, 03:30 in New York
    assert.equal(isWindowOpen(weekdayBerlin as never, instant), true);
    assert.equal(isWindowOpen({ ...weekdayBerlin, timeZone: 'America/New_York' } as never, instant), false);
  });

  it('follows local time across a daylight-saving change', () => {
    const window = { days: ['mon'], start: '09:00', end: '17:00', timeZone: 'America/New_York' };
    assert.equal(isWindowOpen(window as never, new Date('2025-03-03T13:30:00Z')), false, '08:30 EST');
    assert.equal(isWindowOpen(window as never, new Date('2025-03-10T13:30:00Z')), true, '09:30 EDT');
  });

  it('runs a window that ends before it starts past midnight into the next day', () => {
    const window = { days: ['fri'], start: '22:00', end: '02:00', timeZone: 'UTC' };
    assert.equal(isWindowOpen(window as never, new Date('2025-01-10T23:00:00Z')), true, 'Friday 23:00');
    assert.equal(isWindowOpen(window as never, new Date('2025-01-11T01:00:00Z')), true, 'Saturday 01:00');
    assert.equal(isWindowOpen(window as never, new Date('2025-01-11T03:00:00Z')), false, 'Saturday 03:00');
    assert.equal(isWindowOpen(window as never, new Date('2025-01-09T23:00:00Z')), false, 'Thursday 23:00');
  });

  it('treats the end as exclusive and 24:00 as the end of the day', () => {
    const window = { days: ['mon'], start: '18:00', end: '24:00', timeZone: 'UTC' };
    assert.equal(isWindowOpen(window as never, new Date('2025-01-06T23:59:00Z')), true);
    assert.equal(isWindowOpen(window as never, new Date('2025-01-07T00:00:00Z')), false);
    assert.equal(
      isWindowOpen({ ...window, start: '09:00', end: '17:00' } as never, new Date('2025-01-06T17:00:00Z')),
      false,
    );
  });

  it('governs protected environments by default and listed environments explicitly', () => {
    const saturday = new Date('2025-01-11T10:00:00Z');
    const policy = policyWith([
      weekdayBerlin,
      { days: ['mon'], start: '00:00', end: '01:00', timeZone: 'UTC', environments: ['staging'] },
    ]);
    assert.equal(checkChangeWindows(['dev'], policy, saturday).allowed, true, 'no window governs dev');
    const prod = checkChangeWindows(['prod'], policy, saturday);
    assert.equal(prod.allowed, false);
    assert.equal(prod.closed[0].environment, 'prod');
    assert.match(prod.closed[0].windows[0], /09:00-17:00 Europe\/Berlin/);
    assert.equal(
      checkChangeWindows(['Staging'], policy, saturday).allowed,
      false,
      'listed environments match without regard to case',
    );
  });

  it('opens when any window of a source is open, and needs every source to agree', () => {
    const mondayMorningUtc = new Date('2025-01-06T09:30:00Z');
    const settingsOnly = policyWith([
      { days: ['sun'], start: '00:00', end: '01:00', timeZone: 'UTC' },
      { days: ['mon'], start: '09:00', end: '10:00', timeZone: 'UTC' },
    ]);
    assert.equal(checkChangeWindows(['prod'], settingsOnly, mondayMorningUtc).allowed, true);
    const withFile = policyWith(
      [{ days: ['mon'], start: '09:00', end: '10:00', timeZone: 'UTC' }],
      [{ days: ['tue'], start: '09:00', end: '10:00', timeZone: 'UTC' }],
    );
    assert.equal(
      checkChangeWindows(['prod'], withFile, mondayMorningUtc).allowed,
      false,
      'the workspace file can only narrow the windows',
    );
  });
});
