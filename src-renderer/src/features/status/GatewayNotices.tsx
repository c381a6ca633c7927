import { useEffect, useState } from 'react'
import type { GatewayNotice } from '../../../../src-shared/desktop-api'

/**
 * The desktop app's gateway notices (a restart after a crash, giving up, log rows that cannot be written),
 * the latest one until dismissed. The gateway runs in its own process, so only the desktop shell knows of
 * them; the web build has no `window.desktop` and shows nothing.
 */
export function GatewayNotices() {
  const [notice, setNotice] = useState<GatewayNotice>()
  useEffect(() => window.desktop?.onGatewayNotice(setNotice), [])
  if (!notice) return null
  return (
    <div className="notice gateway-notice" role="alert" data-level={notice.level}>
      <span>
        <strong>{notice.level === 'error' ? 'The gateway is stopped.' : 'Gateway:'}</strong> {notice.message}
      </span>
      <button type="button" onClick={() => setNotice(undefined)}>
        Dismiss
      </button>
    </div>
  )
}
