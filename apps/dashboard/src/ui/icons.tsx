// Inline SVG icons: no icon font or emoji font is needed on the agent's machine.
const Svg = ({ d, size = 20 }: { d: string; size?: number }) => (
  <svg
    width={size}
    height={size}
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    strokeWidth="2"
    strokeLinecap="round"
    strokeLinejoin="round"
    aria-hidden="true"
  >
    <path d={d} />
  </svg>
);
export const InboxIcon = () => <Svg d="M3 13h5l2 3h4l2-3h5M5 5h14l2 8v6H3v-6z" />;
export const SearchIcon = () => <Svg d="M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14zM21 21l-5-5" />;
export const BellIcon = () => <Svg d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 21h4" />;
export const SettingsIcon = () => (
  <Svg d="M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19 12l2-1-2-4-2 1-2-2V4h-4v2L9 8 7 7l-2 4 2 1v0l-2 1 2 4 2-1 2 2v2h4v-2l2-2 2 1 2-4z" />
);
export const ClockIcon = ({ size = 20 }: { size?: number }) => (
  <Svg d="M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 2" size={size} />
);
