import { useState } from 'react'
import { teamApi } from '../../api/team'
import { useAppStore } from '../../store'
import { canUse } from '../../store/auth-slice'
import { MembersPanel } from './MembersPanel'
import { OwnerForm } from './OwnerForm'
import { ServiceAccountsPanel } from './ServiceAccountsPanel'
import './team.css'
import { WorkspacesPanel } from './WorkspacesPanel'

/**
 * Solo → team from the running app: the caller becomes the first owner, the config gets `auth.mode: team`, and
 * from then on everyone signs in with their own account. Folded until asked for: the one-person app stays as it is.
 */
function EnableTeam() {
  const checkSession = useAppStore((s) => s.checkSession)
  const [open, setOpen] = useState(false)
  const enable = async (input: { name: string; email: string; password: string }) => {
    await teamApi.enable(input)
    // The gateway signed this browser in as the new owner: the session says so, and the Team panels appear.
    await checkSession()
  }
  return (
    <section className="panel stack" aria-labelledby="team-heading">
      <h2 id="team-heading">Team</h2>
      <p>
        Running this gateway for several people? Team mode gives each person their own sign-in and a role (owner, admin,
        developer, viewer), and splits keys and logs into workspaces.
      </p>
      {open ? (
        <>
          <p className="muted">
            You become its first owner. Everyone then signs in with an account; the admin token keeps working as an
            owner's (keep it for emergencies).
          </p>
          <OwnerForm idPrefix="enable" submitLabel="Turn on team mode" onSubmit={enable} />
        </>
      ) : (
        <div>
          <button type="button" onClick={() => setOpen(true)}>
            Set up for a team
          </button>
        </div>
      )}
    </section>
  )
}

/** Settings → Team: the switch to team mode in solo mode; members, service accounts and workspaces in team mode. */
export function TeamSection() {
  const mode = useAppStore((s) => s.authMode)
  const principal = useAppStore((s) => s.principal)
  const manage = useAppStore((s) => canUse(s, 'members:manage'))
  if (mode === 'solo') return <EnableTeam />
  if (!manage) {
    return (
      <section className="panel" aria-labelledby="team-heading">
        <h2 id="team-heading">Team</h2>
        <p>
          You are signed in as <strong>{principal?.name}</strong>, {principal?.role}. Owners and admins manage members,
          service accounts and workspaces.
        </p>
      </section>
    )
  }
  return (
    <div className="stack">
      <MembersPanel />
      <ServiceAccountsPanel />
      <WorkspacesPanel />
    </div>
  )
}
