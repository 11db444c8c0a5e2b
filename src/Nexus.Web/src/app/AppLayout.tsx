import { useLiveStatus } from '../live/liveStatus';
import { useEffect, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { messageOf } from '../api/problem';
import { useUser } from '../auth/useSession';
import { ErrorBoundary } from '../ui/ErrorBoundary';
import { useLogoUrl } from '../ui/hooks';
import { notifications } from '../ui/notifications';
import { BrandingProvider, useBranding } from './branding';
import { session } from './services';
import { setTheme, useTheme } from './theme';

export function AppLayout() {
  return (
    <BrandingProvider>
      <Shell />
    </BrandingProvider>
  );
}

function Shell() {
  const user = useUser();
  const { branding } = useBranding();
  const location = useLocation();
  const logo = useLogoUrl(branding?.logoUrl);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to={branding ? `/t/${branding.tenantId}` : '/'} className="brand">
          {logo ? <img src={logo} alt={`${branding?.tenantName ?? 'Tenant'} logo`} className="brand-logo" /> : <span className="brand-mark" aria-hidden="true">◆</span>}
          <span className="brand-name">{branding?.tenantName ?? 'Nexus'}</span>
        </Link>
        <nav aria-label="Main" className="main-nav">
          <NavLink to="/" end>
            Tenants
          </NavLink>
          <NavLink to="/vms">All VMs</NavLink>
          {user.globalRole === 'admin' && <NavLink to="/admin/users">Administration</NavLink>}
        </nav>
        <div className="header-tools">
          <LiveIndicator />
          <ThemeToggle />
          <UserMenu />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorBoundary key={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
    </>
  );
}

function ThemeToggle() {
  const theme = useTheme();
  const dark = theme === 'dark';
  return (
    <button type="button" className="icon-button" aria-pressed={dark} onClick={() => setTheme(dark ? 'light' : 'dark')}>
      <span aria-hidden="true">{dark ? '☾' : '☀'}</span> Dark theme
    </button>
  );
}

function UserMenu() {
  const user = useUser();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const menu = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) {
      return;
    }
    menu.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
    const onPointer = (e: PointerEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const go = (to: string) => {
    setOpen(false);
    navigate(to);
  };
  const signOut = async () => {
    setOpen(false);
    try {
      await session.logout();
    } catch (error) {
      notifications.push('error', `Signed out here, but the server did not confirm: ${messageOf(error)}`);
    }
    navigate('/login', { replace: true });
  };
  const onKeyDown = (e: React.KeyboardEvent) => {
    const items = Array.from(menu.current?.querySelectorAll<HTMLElement>('[role=menuitem]') ?? []);
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      items[(index + 1) % items.length]?.focus();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      items[(index - 1 + items.length) % items.length]?.focus();
    } else if (e.key === 'Tab') {
      setOpen(false);
    }
  };

  return (
    <div className="user-menu">
      <button
        ref={button}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls="user-menu"
        onClick={() => setOpen(!open)}
      >
        {user.fullName || user.email} <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div id="user-menu" ref={menu} role="menu" aria-label="Account" className="menu" onKeyDown={onKeyDown}>
          <button type="button" role="menuitem" onClick={() => go('/profile')}>
            Profile
          </button>
          <button type="button" role="menuitem" onClick={() => go('/')}>
            Switch tenant
          </button>
          <button type="button" role="menuitem" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}

const liveWords = { off: 'off', connecting: 'connecting', live: 'on', reconnecting: 'reconnecting', offline: 'offline', revoked: 'no access' } as const;

/** The open tenant's live-update connection, in words and as a coloured dot. */
function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span className={`live live-${status}`} role="status" aria-label={`Live updates: ${liveWords[status]}`}>
      <span className="live-dot" aria-hidden="true" /> Live: {liveWords[status]}
    </span>
  );
}
