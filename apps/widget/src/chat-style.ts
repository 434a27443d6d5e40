/* The conversation panel's look, scoped by the widget's Shadow DOM; and the emoji picker's set. */

export const CSS = `
.sd-head{background:var(--sd-color);color:#fff;padding:14px 16px;display:flex;gap:10px;align-items:center}
.sd-head-text{flex:1;min-width:0}
.sd-title{font-weight:600;font-size:16px;margin:0}
.sd-sub{font-size:12px;opacity:.9;margin:2px 0 0}
.sd-avatar{width:34px;height:34px;border-radius:50%;background:rgba(255,255,255,.3);display:flex;align-items:center;justify-content:center;font-weight:600;overflow:hidden;flex:none}
.sd-avatar img{width:100%;height:100%;object-fit:cover}
.sd-x{all:unset;cursor:pointer;font-size:20px;padding:0 4px;color:#fff}
.sd-body{flex:1;overflow-y:auto;padding:12px;background:#f9fafb;display:flex;flex-direction:column;gap:6px}
.sd-list,.sd-forms{display:flex;flex-direction:column;gap:6px}
.sd-note{font-size:13px;color:#4b5563;background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:10px;margin:0}
.sd-msg{max-width:80%;padding:8px 11px;border-radius:14px;white-space:pre-wrap;word-wrap:break-word;font-size:14px;margin:0}
.sd-msg a{color:inherit;text-decoration:underline}
.sd-msg.visitor{align-self:flex-end;background:var(--sd-color);color:#fff;border-bottom-right-radius:4px}
.sd-msg.agent{align-self:flex-start;background:#fff;border:1px solid #e5e7eb;border-bottom-left-radius:4px}
.sd-msg.pending{opacity:.6}
.sd-msg.failed{background:#fee2e2;color:#991b1b}
.sd-who{font-size:11px;color:#6b7280;margin:4px 0 0;align-self:flex-start}
.sd-meta{font-size:11px;color:#6b7280;align-self:flex-end;margin:0}
.sd-msg img{max-width:100%;border-radius:8px;display:block;margin-top:4px}
.sd-typing{font-size:12px;color:#6b7280;padding:0 14px 4px;min-height:18px;background:#f9fafb;margin:0}
.sd-compose{display:flex;gap:6px;padding:8px;border-top:1px solid #e5e7eb;align-items:flex-end;background:#fff}
.sd-input{flex:1;resize:none;border:1px solid #d1d5db;border-radius:10px;padding:8px 10px;font-size:14px;max-height:120px;min-height:38px;color:#111827;background:#fff;outline:none}
.sd-input:focus{border-color:var(--sd-color)}
.sd-icon{all:unset;cursor:pointer;font-size:18px;padding:6px;border-radius:8px;color:#4b5563}
.sd-icon:hover{background:#f3f4f6}
.sd-send{all:unset;cursor:pointer;background:var(--sd-color);color:#fff;border-radius:10px;padding:8px 12px;font-weight:600;font-size:14px}
.sd-emoji{display:none;flex-wrap:wrap;gap:2px;padding:6px 8px;border-top:1px solid #e5e7eb;background:#fff}
.sd-emoji.on{display:flex}
.sd-emoji button{all:unset;cursor:pointer;font-size:20px;padding:2px 4px}
.sd-form{display:flex;flex-direction:column;gap:8px;padding:12px;background:#fff;border:1px solid #e5e7eb;border-radius:10px}
.sd-form label{display:flex;flex-direction:column;gap:3px;font-size:12px;color:#374151}
.sd-form input,.sd-form select,.sd-form textarea{border:1px solid #d1d5db;border-radius:8px;padding:7px 9px;font-size:14px;color:#111827;background:#fff}
.sd-btn{all:unset;cursor:pointer;text-align:center;background:var(--sd-color);color:#fff;border-radius:8px;padding:8px 12px;font-weight:600}
.sd-link{all:unset;cursor:pointer;color:var(--sd-color);font-size:12px;text-decoration:underline}
.sd-foot{display:flex;justify-content:space-between;padding:4px 10px 8px;background:#fff;font-size:12px;color:#6b7280}
.sd-stars{display:flex;gap:4px}
.sd-stars button{all:unset;cursor:pointer;font-size:26px;color:#d1d5db}
.sd-stars button.on{color:#f59e0b}
.sd-err{color:#b91c1c;font-size:12px;margin:0}
.sd-fail{align-self:flex-end;display:flex;gap:8px;align-items:center;font-size:12px;color:#b91c1c;margin:0}
`;

export const EMOJI = [
  '😀',
  '😂',
  '😊',
  '😍',
  '🙏',
  '👍',
  '👎',
  '👋',
  '🎉',
  '❤️',
  '😢',
  '😮',
  '🤔',
  '😅',
  '🙌',
  '📦',
  '🚚',
  '💳',
  '✅',
  '❌',
];
