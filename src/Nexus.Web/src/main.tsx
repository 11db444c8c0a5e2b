import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { session } from './app/services';
import './styles.css';

// A reload keeps the user signed in: the refresh cookie buys a new access token before the first page needs one.
void session.restore();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
