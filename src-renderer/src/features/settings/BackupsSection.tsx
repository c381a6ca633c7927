import { type UseMutationResult, useMutation, useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { BackupItem, BackupReason, RestorePreview, RestoreResult } from '../../../../src-shared/admin-api'
import { backupsApi } from '../../api/backups'
import { errorMessage } from '../../api/client'
import { queryClient } from '../../api/query-client'
import { useModal } from '../../components/use-modal'
import { formatBytes, formatDateTime } from '../../format'
import {
  backupsKey,
  backupsQuery,
  createBackup,
  deleteBackup,
  restoreBackup,
  restorePreviewQuery,
} from '../../queries/backups'
import { settingsQuery } from '../../queries/settings'
import { useAppStore } from '../../store'
import { ConfigChangeList } from './ConfigChangeList'
import './backups.css'

const REASON_LABEL: Record<BackupReason, string> = {
  daily: 'Daily',
  'pre-import': 'Before import',
  manual: 'Manual',
  'pre-restore': 'Before restore',
}

function BackupRow({ b }: { b: BackupItem }) {
  const openRestore = useAppStore((s) => s.openRestore)
  const remove = useMutation({ mutationFn: () => deleteBackup(b.id) })
  const [confirmDelete, setConfirmDelete] = useState(false)
  const [downloadError, setError] = useState<string | null>(null)
  const error = downloadError ?? (remove.error ? errorMessage(remove.error) : null)
  return (
    <tr aria-label={`${REASON_LABEL[b.reason]} ${b.createdAt}`} data-testid="backup-row" data-reason={b.reason}>
      <td title={b.createdAt} data-testid="backup-time">
        {formatDateTime(b.createdAt)}
      </td>
      <td>{REASON_LABEL[b.reason]}</td>
      <td className="num nowrap">{formatBytes(b.sizeBytes)}</td>
      <td>
        {confirmDelete ? (
          <div className="row">
            <span>Delete this backup?</span>
            <button
              type="button"
              className="small danger"
              disabled={remove.isPending}
              onClick={() => remove.mutate(undefined, { onSettled: () => setConfirmDelete(false) })}
            >
              Yes, delete
            </button>
            <button type="button" className="small" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
          </div>
        ) : (
          <div className="row">
            <button type="button" className="small" onClick={() => openRestore(b.id)}>
              Restore
            </button>
            <button
              type="button"
              className="small"
              onClick={() => backupsApi.download(b.id).catch((err) => setError(errorMessage(err)))}
            >
              Download
            </button>
            <button type="button" className="small danger" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          </div>
        )}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  )
}

function PreviewDetails({ preview }: { preview: RestorePreview }) {
  if (!preview.valid) {
    return (
      <div role="alert">
        <p className="error">This backup's config is not valid for this version of Switchyard:</p>
        <ul className="change-list">
          {preview.errors.map((e) => (
            <li key={`${e.path}:${e.message}`}>
              <code>{e.path}</code>: {e.message}
            </li>
          ))}
        </ul>
      </div>
    )
  }
  const prompts = [
    ['Added back', preview.prompts.added],
    ['Replaced by the backup’s versions', preview.prompts.changed],
    ['Removed', preview.prompts.removed],
  ] as const
  const nothing = preview.changes.length === 0 && prompts.every(([, names]) => names.length === 0)
  return (
    <div className="stack" data-testid="restore-preview">
      {nothing && <p>Nothing would change: the config and prompts match this backup.</p>}
      <ConfigChangeList changes={preview.changes} headingPrefix="Config · " />
      {prompts.map(([label, names]) =>
        names.length === 0 ? null : (
          <div key={label}>
            <h3>
              Prompts · {label} ({names.length})
            </h3>
            <ul className="change-list">
              {names.map((n) => (
                <li key={n}>
                  <code>{n}</code>
                </li>
              ))}
            </ul>
          </div>
        ),
      )}
    </div>
  )
}

/** Restore asks first, showing what would change; the dialog is open while a restore is chosen. */
function RestoreDialog({ restore }: { restore: UseMutationResult<RestoreResult, Error, RestorePreview> }) {
  const id = useAppStore((s) => s.restoreId)
  const close = useAppStore((s) => s.closeRestore)
  const previewQuery = useQuery({ ...restorePreviewQuery(id ?? ''), enabled: id !== null })
  const preview = previewQuery.data ?? null
  const restoring = restore.isPending
  const failed = previewQuery.error ?? restore.error
  const error = failed ? errorMessage(failed) : null
  const ref = useModal(Boolean(id))
  if (!id) return null
  return (
    <dialog
      ref={ref}
      className="panel restore-dialog"
      aria-labelledby="restore-title"
      aria-modal="true"
      aria-busy={!preview && !error}
      onClose={close}
    >
      <h2 id="restore-title">
        Restore the backup of {preview ? `${formatDateTime(preview.createdAt)} (${REASON_LABEL[preview.reason]})` : '…'}
        ?
      </h2>
      <p>
        The running gateway switches to this backup's config at once, and the prompt library becomes the backup's (same
        versions and labels). A snapshot of the current state is saved first, so this can be undone.
      </p>
      {preview && <PreviewDetails preview={preview} />}
      {!preview && !error && <p className="muted">Comparing with the current config…</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          className="button primary"
          disabled={!preview?.valid || restoring}
          // The dialog closes once restored, so focus goes back where it came from.
          onClick={() => preview && restore.mutate(preview, { onSuccess: () => ref.current?.close() })}
        >
          {restoring ? 'Restoring…' : 'Yes, restore'}
        </button>
        <button type="button" className="button" onClick={() => ref.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  )
}

/** Settings → Backups: the snapshots in the data dir, a backup on demand, restore and download. */
export function BackupsSection() {
  const list = useQuery(backupsQuery())
  const backups = list.data ?? null
  const error = list.error ? errorMessage(list.error) : null
  const dataDir = useQuery({ ...settingsQuery(), select: (s) => s.dataDir }).data
  const create = useMutation({ mutationFn: createBackup })
  const restore = useMutation({ mutationFn: restoreBackup })
  const creating = create.isPending
  const actionError = create.error ? errorMessage(create.error) : null
  // The last restore's answer says what happened until another backup is taken or another restore opens.
  const result = restore.data ?? null
  const restoreId = useAppStore((s) => s.restoreId)
  const { reset: resetRestore } = restore
  useEffect(() => {
    if (restoreId !== null) resetRestore()
  }, [restoreId, resetRestore])
  // An applied import took a backup first: read the list again so it shows.
  const imported = useAppStore((s) => s.importApplied)
  useEffect(() => {
    if (imported) void queryClient.invalidateQueries({ queryKey: backupsKey() })
  }, [imported])
  const preRestore = result && backups?.find((b) => b.id === result.preRestore.id)
  return (
    <section
      className="panel stack backups-panel"
      aria-labelledby="backups-heading"
      aria-busy={backups === null && !error}
    >
      <div className="panel-header">
        <h2 id="backups-heading">Backups</h2>
        <button
          type="button"
          className="primary"
          onClick={() => {
            resetRestore()
            create.mutate()
          }}
          disabled={creating || !!error}
        >
          {creating ? 'Backing up…' : 'Back up now'}
        </button>
      </div>
      <p className="field-hint">
        Snapshots of the config (key values never, only their references) and every prompt version and label, kept in{' '}
        <code>{dataDir ? `${dataDir}/backups` : 'the data folder'}</code>: daily, before each import and restore, and
        when you ask. The last 30 of each kind are kept. With the gateway stopped, use <code>switchyard backup</code>{' '}
        and <code>switchyard restore FILE</code>.
      </p>
      {error && (
        <div className="notice" role="alert">
          <span>
            <strong>Could not load backups.</strong> {error}
          </span>
          <button type="button" onClick={() => void list.refetch()}>
            Retry
          </button>
        </div>
      )}
      {actionError && (
        <p className="error" role="alert">
          {actionError}
        </p>
      )}
      {result && (
        <div role="status">
          <p className="success">
            ✔ Restored ({result.changes.length} config {result.changes.length === 1 ? 'change' : 'changes'}). The state
            before is saved as the backup of {preRestore ? formatDateTime(preRestore.createdAt) : result.preRestore.id}.
          </p>
          {result.missingEnv.length > 0 && (
            <p className="warn-text">Set these environment variables for its keys: {result.missingEnv.join(', ')}.</p>
          )}
          {result.missingSecrets.length > 0 && (
            <p className="warn-text">Enter these keys again: {result.missingSecrets.join(', ')}.</p>
          )}
        </div>
      )}
      {backups && backups.length === 0 && (
        <div className="empty">
          <p>No backups yet. The first daily one is taken when the gateway starts; or take one now.</p>
        </div>
      )}
      {backups && backups.length > 0 && (
        <table aria-label="Backups">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Reason</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {backups.map((b) => (
              <BackupRow key={b.id} b={b} />
            ))}
          </tbody>
        </table>
      )}
      <RestoreDialog restore={restore} />
    </section>
  )
}
