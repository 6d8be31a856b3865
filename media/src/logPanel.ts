// The log panel's front end. It talks to the extension host only by messages.
interface AppendLines {
  type: 'append';
  lines: string[];
}

const root = document.getElementById('log');
window.addEventListener('message', (event: MessageEvent<AppendLines>) => {
  if (event.data?.type !== 'append' || !root) return;
  const fragment = document.createDocumentFragment();
  for (const line of event.data.lines) {
    const row = document.createElement('div');
    row.textContent = line;
    fragment.appendChild(row);
  }
  root.appendChild(fragment);
});
