import VitrineCommands

await Vitrine.start()
