// Runs before the app's first paint (a plain script in <head>) so a dark theme never flashes light.
// The key and logic mirror src/theme/theme.ts.
;(() => {
  try {
    const choice = localStorage.getItem('switchyard.theme')
    const dark = choice === 'dark' || (choice !== 'light' && window.matchMedia('(prefers-color-scheme: dark)').matches)
    if (dark) document.documentElement.classList.add('dark')
  } catch {
    // No storage: the app applies the theme once it starts.
  }
})()
