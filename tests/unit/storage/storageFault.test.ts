import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { describeStorageFault, storageFaultOf } from '../../../src/lib/core/storageFault';

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('storageFaultOf', () => {
  it.each([
    ['SQLITE_FULL', 'full'],
    ['ENOSPC', 'full'],
    ['EDQUOT', 'full'],
    ['EFBIG', 'full'],
    ['SQLITE_READONLY', 'readonly'],
    ['SQLITE_READONLY_DBMOVED', 'readonly'],
    ['EROFS', 'readonly'],
    ['SQLITE_IOERR_WRITE', 'io'],
    ['SQLITE_CANTOPEN', 'io'],
    ['EIO', 'io'],
  ])('%s is a %s fault', (code, kind) => {
    expect(storageFaultOf(withCode(code))).toEqual({ kind, code, detail: 'boom' });
  });

  it.each(['SQLITE_CONSTRAINT_UNIQUE', 'ENOENT', 'EACCES'])('%s is none', (code) => {
    expect(storageFaultOf(withCode(code))).toBeNull();
  });

  it('finds the fault behind a wrapping error, and nothing in a plain one', () => {
    const wrapped = new Error('query failed', { cause: withCode('SQLITE_FULL', 'database or disk is full') });
    expect(storageFaultOf(wrapped)).toMatchObject({ kind: 'full', code: 'SQLITE_FULL' });
    expect(storageFaultOf(new Error('nope'))).toBeNull();
    expect(storageFaultOf('SQLITE_FULL')).toBeNull();
  });

  it('recognises what SQLite itself throws on a read-only connection', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-ro-')), 'ro.db');
    new Database(file).exec('create table t (x)');
    const db = new Database(file, { readonly: true });
    let thrown: unknown;
    try {
      db.exec('insert into t values (1)');
    } catch (error) {
      thrown = error;
    }
    db.close();
    expect(storageFaultOf(thrown)).toMatchObject({ kind: 'readonly', code: 'SQLITE_READONLY' });
  });

  it('says what failed and what to do, naming the data directory', () => {
    const full = describeStorageFault({ kind: 'full', code: 'SQLITE_FULL', detail: 'x' }, '/data');
    expect(full).toBe(
      'The file system holding /data is full (SQLITE_FULL). Free space there; new runs are refused until enough is free again.',
    );
    expect(describeStorageFault({ kind: 'readonly', code: 'EROFS', detail: 'read-only' }, '/data')).toMatch(
      /^\/data cannot be written \(EROFS: read-only\)\. Make it writable/,
    );
    expect(describeStorageFault({ kind: 'io', code: 'EIO', detail: 'i/o' }, '/data')).toMatch(
      /^The disk holding \/data failed \(EIO: i\/o\)\. Check the device/,
    );
  });
});
